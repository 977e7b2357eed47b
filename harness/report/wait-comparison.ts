import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { detailsOf, type CheckResult } from '../checkers/index.ts';
import type { ScenarioResult } from '../scenario/result.ts';
import type { RunSummary } from './summary.ts';

/** One scenario's write losses in one run, from the figures its checks already computed. */
export interface LossFigures {
  scenario: string;
  /** The run's --wait-replicas, or null without WAIT. */
  waitReplicas: number | null;
  status: ScenarioResult['status'];
  /** Writes (INCRs and appends) the app acknowledged: with WAIT, only those a replica had. */
  acknowledged: number;
  /** Acknowledged writes later missing, inside a documented minority window or not. */
  lost: number;
  /** Of them, the lost appends (the INCRs' share is the rest). */
  lostAppends: number;
  /**
   * When lost writes were acknowledged, in ms after the scenario's first fault: the append check's
   * lost values (each with its ack time) and the minority-writes check's last lost INCR. Lost INCRs
   * of a kill carry no time: the counter check knows only how many. Null: no timed loss.
   */
  window: { firstMs: number; lastMs: number; complete: boolean } | null;
  /** Writes that may or may not have been applied: with WAIT, those a replica did not acknowledge in time. */
  info: number;
  /**
   * The availability check's longest gap between ok writes on one shard: WAIT's cost, since a shard
   * whose master has no linked replica acknowledges nothing until one is back.
   */
  maxUnavailableMs: number | null;
}

/**
 * A scenario's losses, reusing its checks' figures rather than judging the history again. The
 * counter check treats INCRs lost inside a minority window as indeterminate (minority-writes counts
 * them), so those are moved back: to acknowledged and lost, out of indeterminate.
 */
export function lossFigures(s: ScenarioResult, checks: CheckResult[], waitReplicas: number | null): LossFigures {
  const counter = detailsOf(checks, 'counter');
  const append = detailsOf(checks, 'append');
  const partitions = detailsOf(checks, 'minority-writes').partitions ?? [];
  const excused = partitions.reduce((n, p) => n + p.lostAcknowledged - p.outsideWindow, 0);
  const counting = counter.applicable !== false;
  const appending = append.applicable === true;
  const lostAppends = appending ? (append.counts?.lost ?? 0) + (append.minorityWindow?.lostAcknowledged ?? 0) : 0;
  const faultMs = s.faults.length ? Math.min(...s.faults.map((f) => f.atMs)) : 0;
  const timed = [...(append.lost ?? []), ...(append.minorityWindow?.lost ?? [])].map((l) => l.ackMs - faultMs);
  if (append.minorityWindow?.lastAckMs != null) timed.push(append.minorityWindow.lastAckMs - faultMs);
  for (const p of partitions) if (p.lastMinorityAckAfterCutMs !== null) timed.push(p.cutMs + p.lastMinorityAckAfterCutMs - faultMs);
  // The append check lists at most 20 lost values of each kind, in ack order per list (its counts
  // are complete). Inside a minority window its lastAckMs covers them all, so one list's listed
  // values span them exactly; otherwise a span of the listed values only is marked as such.
  const windowLists = (append.perKey ?? []).filter((k) => (k.lostInMinorityWindow ?? 0) > 0).length;
  const complete = (append.lost?.length ?? 0) >= (append.counts?.lost ?? 0)
    && ((append.minorityWindow?.lost.length ?? 0) >= (append.minorityWindow?.lostAcknowledged ?? 0) || windowLists <= 1);
  return {
    scenario: s.name, waitReplicas, status: s.status,
    acknowledged: (counting ? (counter.acknowledged ?? 0) + excused : 0) + (appending ? (append.acknowledged ?? 0) : 0),
    lost: (counting ? (counter.lostAcknowledged ?? 0) + excused : 0) + lostAppends,
    lostAppends,
    window: timed.length ? { firstMs: Math.round(Math.min(...timed)), lastMs: Math.round(Math.max(...timed)), complete } : null,
    info: (counting ? (counter.indeterminate ?? 0) - excused : 0) + (appending ? (append.indeterminate ?? 0) : 0),
    maxUnavailableMs: s.metrics.maxUnavailableMs,
  };
}

/** Both runs' figures, per scenario: without WAIT, then with it. */
export interface WaitComparison {
  waitReplicas: number;
  nodeTimeoutMs: number | null;
  runs: { without: string; with: string };
  rows: { scenario: string; without: LossFigures | null; with: LossFigures | null }[];
}

/** The runs' summaries and each scenario's checks (checks.json), read by the caller. */
export interface RecordedRun {
  summary: Pick<RunSummary, 'runId' | 'nodeTimeoutOverrideMs' | 'manifestNodeTimeoutMs' | 'waitReplicas' | 'scenarios'>;
  checks: Record<string, CheckResult[]>;
}

export function compareWait(without: RecordedRun, withWait: RecordedRun, scenarios: string[]): WaitComparison {
  const figures = (run: RecordedRun, name: string) => {
    const s = run.summary.scenarios.find((x) => x.name === name);
    return s ? lossFigures(s, run.checks[name] ?? [], run.summary.waitReplicas?.replicas ?? null) : null;
  };
  return {
    waitReplicas: withWait.summary.waitReplicas?.replicas ?? 0,
    nodeTimeoutMs: withWait.summary.nodeTimeoutOverrideMs ?? withWait.summary.manifestNodeTimeoutMs,
    runs: { without: without.summary.runId, with: withWait.summary.runId },
    rows: scenarios.map((scenario) => ({ scenario, without: figures(without, scenario), with: figures(withWait, scenario) })),
  };
}

const windowText = (f: LossFigures) => (f.window ? `${f.window.firstMs}…${f.window.lastMs} ms${f.window.complete ? '' : '*'}` : f.lost ? 'untimed' : '—');
const cells = (f: LossFigures | null) => (f ? [f.status, String(f.acknowledged), `${f.lost}${f.lostAppends ? ` (${f.lostAppends} append${f.lostAppends === 1 ? '' : 's'})` : ''}`, windowText(f), String(f.info), f.maxUnavailableMs === null ? '—' : `${f.maxUnavailableMs} ms`] : ['not run', '—', '—', '—', '—', '—']);
const HEAD = ['scenario', 'WAIT', 'verdict', 'acknowledged writes', 'acknowledged writes lost', 'loss window (ack time after the fault)', 'info (unacknowledged)', 'longest gap between ok writes'];
const NOTE = 'Reported, not asserted: Redis documents that WAIT "does not make Redis a strongly consistent store"; an acknowledged write can still be lost when a replica without it is promoted. '
  + 'The verdicts are the checks\' own, the same rules with and without WAIT. "untimed": lost INCRs of a kill, which the counter check counts but cannot date. '
  + '*: the span of the lost appends the append check lists (20 of each kind); its counts are complete.';

function tableRows(c: WaitComparison): string[][] {
  return c.rows.flatMap((r) => [[r.scenario, 'no', ...cells(r.without)], [r.scenario, `WAIT ${c.waitReplicas}`, ...cells(r.with)]]);
}

export function waitComparisonMarkdown(c: WaitComparison): string {
  const line = (cols: string[]) => `| ${cols.map((x) => x.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    `### WAIT comparison: without and with --wait-replicas ${c.waitReplicas} (node timeout ${c.nodeTimeoutMs ?? '?'} ms)`, '',
    line(HEAD), line(HEAD.map(() => '---')), ...tableRows(c).map(line), '',
    NOTE, '', `Runs: \`${c.runs.without}\` (without), \`${c.runs.with}\` (with).`, '',
  ].join('\n');
}

export function waitComparisonHtml(c: WaitComparison): string {
  const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const row = (cols: string[], tag = 'td') => `<tr>${cols.map((x) => `<${tag}>${esc(x)}</${tag}>`).join('')}</tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>redis-chaos: WAIT comparison</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#1d3557;padding:0 16px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee}th{background:#f6f8fa}.meta{color:#555}</style></head><body>
<h1>WAIT comparison: without and with <code>--wait-replicas ${esc(c.waitReplicas)}</code></h1>
<p class="meta">node timeout ${esc(c.nodeTimeoutMs ?? '?')} ms · runs <code>${esc(c.runs.without)}</code> (without), <code>${esc(c.runs.with)}</code> (with)</p>
<table id="wait-comparison"><thead>${row(HEAD, 'th')}</thead><tbody>${tableRows(c).map((r) => row(r)).join('')}</tbody></table>
<p>${esc(NOTE)}</p>
</body></html>
`;
}

/** A finished run's summary.json and each of its scenarios' checks.json (a scenario without one has none). */
export async function readRecordedRun(runDir: string): Promise<RecordedRun> {
  const summary = JSON.parse(await readFile(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  const checks = Object.fromEntries(await Promise.all(summary.scenarios.map(async (s) => [s.name,
    await readFile(path.join(runDir, 'scenarios', s.name, 'checks.json'), 'utf8').then((t) => JSON.parse(t) as CheckResult[]).catch(() => [])] as const)));
  return { summary, checks };
}
