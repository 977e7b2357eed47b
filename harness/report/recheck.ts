import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCheckers, SEED_CHECKERS, type Checker, type CheckResult, type RunEvidence, type Validity } from '../checkers/index.ts';
import { errorMessage, HarnessError } from '../errors.ts';
import { readEvidence } from '../scenario/evidence.ts';
import { metricsOf, keysOf, shardsOf, verdictOf, type ScenarioResult } from '../scenario/result.ts';
import { promiseVerdicts } from '../scenario/spec.ts';
import { overall, type RunSummary } from './summary.ts';

export const RECHECK_SUMMARY = 'summary.recheck.json';
export const RECHECK_CHECKS = 'checks.recheck.json';

/** A check whose validity differs between the recorded verdict and today's; null where it did not exist. */
export interface CheckChange {
  name: string;
  before: Validity | null;
  after: Validity | null;
  /** Today's message, if the check still exists. */
  message: string | null;
}

export interface ScenarioRecheck {
  name: string;
  before: ScenarioResult;
  /** Today's verdict; the recorded one where the scenario could not be re-judged. */
  after: ScenarioResult;
  /** Why it keeps its recorded verdict, or null if it was re-judged. */
  notRejudged: string | null;
  changed: CheckChange[];
}

/** summary.json's shape, with the re-judged scenarios, and when and what the re-check did. */
export interface RecheckSummary extends RunSummary {
  recheck: { at: string; of: 'summary.json'; notRejudged: { name: string; reason: string }[] };
}

/**
 * Re-judges a recorded run with `checkers` (today's, by default) from each scenario's evidence.json,
 * history.jsonl and topology.jsonl, and writes checks.recheck.json beside each checks.json and
 * summary.recheck.json beside summary.json. Nothing is run: only the verdict is recomputed.
 * `label` names the folder in messages as the user gave it.
 */
export async function recheckRun(runDir: string, { only = [], checkers = SEED_CHECKERS, label = runDir }: { only?: string[]; checkers?: Record<string, Checker>; label?: string } = {}):
  Promise<{ summary: RecheckSummary; scenarios: ScenarioRecheck[] }> {
  const recorded = await readRunSummary(runDir, label);
  const unknown = only.filter((n) => !recorded.scenarios.some((s) => s.name === n));
  if (unknown.length) throw new HarnessError(`--scenario ${unknown.join(', ')}: not in ${label} (it has ${recorded.scenarios.map((s) => s.name).join(', ') || 'no scenarios'})`);
  const selected = only.length ? recorded.scenarios.filter((s) => only.includes(s.name)) : recorded.scenarios;

  // One at a time: each evidence holds a whole history.
  const scenarios: ScenarioRecheck[] = [];
  for (const before of selected) {
    const dir = path.join(runDir, 'scenarios', before.name);
    const evidence = await readEvidence(dir);
    if (!evidence) {
      scenarios.push({ name: before.name, before, after: before, notRejudged: 'no evidence', changed: [] });
      continue;
    }
    const checks = runCheckers(checkers, evidence);
    await writeFile(path.join(dir, RECHECK_CHECKS), `${JSON.stringify(checks, null, 2)}\n`);
    scenarios.push({ name: before.name, before, after: rejudged(before, evidence, checks), notRejudged: null, changed: changesOf(before.checks, checks) });
  }
  if (!scenarios.some((s) => s.notRejudged === null)) {
    throw new HarnessError(`${label}: no ${only.length ? 'selected ' : ''}scenario has an evidence.json: the run predates evidence.json (or ended before any verdict) and cannot be re-checked`);
  }

  const after = scenarios.map((s) => s.after);
  const verdict = overall(after.map((s) => s.status), recorded.error, recorded.interruptedBy as NodeJS.Signals | null);
  const summary: RecheckSummary = {
    ...recorded,
    status: verdict.status,
    // The re-check's own exit: an interrupted run's partial histories cannot be judged (2), not a signal's 128 + n.
    exitCode: verdict.exitCode === 0 || verdict.exitCode === 1 ? verdict.exitCode : 2,
    scenarios: after,
    recheck: { at: new Date().toISOString(), of: 'summary.json', notRejudged: scenarios.flatMap((s) => (s.notRejudged ? [{ name: s.name, reason: s.notRejudged }] : [])) },
  };
  await writeFile(path.join(runDir, RECHECK_SUMMARY), `${JSON.stringify(summary, null, 2)}\n`);
  return { summary, scenarios };
}

/** One line per scenario, recorded → today's status, then each check whose validity changed. */
export function recheckLines(scenarios: ScenarioRecheck[]): string[] {
  const width = Math.max(...scenarios.map((s) => s.name.length), 8);
  return scenarios.flatMap((s) => {
    const name = `  ${s.name.padEnd(width)}  `;
    if (s.notRejudged) return [`${name}${s.before.status} (not re-judged: ${s.notRejudged})`];
    const partial = s.after.status === 'interrupted' ? '  (a history cut short: its checks decide nothing)' : '';
    return [`${name}${s.before.status} → ${s.after.status}${partial}`,
      ...s.changed.map((c) => `  ${' '.repeat(width)}    ${c.name}: ${validity(c.before)} → ${validity(c.after)}${c.message === null ? '' : ` — ${c.message}`}`)];
  });
}

const validity = (v: Validity | null) => (v === null ? 'absent' : v === true ? 'pass' : v === false ? 'fail' : 'unknown');

async function readRunSummary(runDir: string, label: string): Promise<RunSummary> {
  const info = await stat(runDir).catch(() => null);
  if (!info) throw new HarnessError(`${label}: no such folder`);
  if (!info.isDirectory()) throw new HarnessError(`${label}: not a folder`);
  const file = path.join(runDir, 'summary.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new HarnessError(`${label}: not a run folder (it has no summary.json)`);
    throw new HarnessError(`${path.join(label, 'summary.json')}: cannot read it (${errorMessage(error)})`);
  }
  try {
    const summary = JSON.parse(text) as RunSummary;
    if (Array.isArray(summary.scenarios)) return summary;
  } catch {
    // Reported below, as for a summary without scenarios.
  }
  throw new HarnessError(`${path.join(label, 'summary.json')}: not a run's summary (no scenarios list)`);
}

/** The recorded entry with today's checks, and the status, metrics and shards that follow from them. */
function rejudged(before: ScenarioResult, evidence: RunEvidence, checks: CheckResult[]): ScenarioResult {
  // As in the run: an interrupted scenario's checks judged a history cut short and decide nothing.
  const verdict = before.status === 'interrupted' ? { status: before.status, error: before.error } : verdictOf(checks, evidence.faults);
  return {
    ...before, ...verdict,
    checks: checks.map(({ name, valid, message }) => ({ name, valid, message })),
    metrics: metricsOf(checks, evidence.faults, evidence.recoveredAtMs),
    shards: shardsOf(checks), keys: keysOf(checks),
    // The scenario's stated expectations, as recorded, judged again by today's checks.
    ...(before.promises ? { promises: promiseVerdicts(before.promises, checks) } : {}),
  };
}

function changesOf(before: ScenarioResult['checks'], after: CheckResult[]): CheckChange[] {
  const names = [...new Set([...after.map((c) => c.name), ...before.map((c) => c.name)])];
  return names.flatMap((name) => {
    const was = before.find((c) => c.name === name)?.valid ?? null;
    const now = after.find((c) => c.name === name) ?? null;
    return was === (now?.valid ?? null) ? [] : [{ name, before: was, after: now?.valid ?? null, message: now?.message ?? null }];
  });
}
