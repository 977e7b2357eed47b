import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ScenarioSeries } from '../scenario/series.ts';
import { appendFindings } from './append-table.ts';
import { inThisThread, type ChartRenderer } from './chart-renderer.ts';
import { scenarioChartSpecs } from './charts.ts';
import { redisSettingsText, type RunSummary } from './summary.ts';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** A spec's words are the README's Markdown: its `code` spans are code here too, not backticks. */
const inline = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');
const BADGE: Record<string, string> = { passed: 'pass', failed: 'fail', error: 'error', interrupted: 'error', true: 'pass', false: 'fail', unknown: 'error' };
const CHARTS = ['counter', 'shards', 'throughput', 'latency', 'coverage', 'owner'];

/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no network): the verdict
 * table first, then per scenario its checks, numbers and charts with the fault windows shaded,
 * drawn by `charts` (the run's chart thread; by default this thread).
 */
export async function writeHtmlReport(runDir: string, summary: RunSummary, charts: ChartRenderer = inThisThread): Promise<string> {
  const sections = await Promise.all(summary.scenarios.map((s) => scenarioSection(runDir, s, charts)));
  const rows = summary.scenarios.map((s) => `<tr><td><a href="#${esc(s.name)}">${esc(s.name)}</a></td><td><span class="badge ${BADGE[s.status]}">${esc(s.status)}</span></td>`
    + `<td>${s.checks.filter((c) => c.valid !== true).map((c) => esc(c.name)).join(', ') || (s.error ? esc(s.error) : '—')}</td>`
    + `<td>${fmt(s.metrics.acknowledged)}</td><td>${fmt(s.metrics.lostAcknowledged)}</td><td>${fmt(s.metrics.failoverMs, ' ms')}</td><td>${fmt(s.metrics.maxUnavailableMs, ' ms')}</td><td>${(s.durationMs / 1000).toFixed(1)} s</td></tr>`).join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>redis-chaos ${esc(summary.runId)}: ${esc(summary.status)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#1d3557;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:36px 0 8px;border-top:1px solid #ddd;padding-top:16px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f6f8fa}.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600}
.pass{background:#2a9d8f}.fail{background:#e63946}.error{background:#6c757d}.meta{color:#555}.chart{margin:8px 0}
code{background:#f6f8fa;padding:0 4px;border-radius:3px}
</style></head><body>
<h1>redis-chaos: <span class="badge ${BADGE[summary.status]}" id="run-status">${esc(summary.status)}</span></h1>
<p class="meta">run <code>${esc(summary.runId)}</code> · platform <b>${esc(summary.platform)}</b> · ${esc(summary.redisImage)} (server ${esc(summary.redisServerVersion)})
 · <span id="redis-settings">${esc(redisSettingsText(summary))}</span>${summary.isolation ? ` · isolation <span id="isolation">${esc(summary.isolation)}</span>` : ''}
 · seed ${esc(summary.seed)} · ${esc(summary.startedAt)} → ${esc(summary.finishedAt)}</p>
${summary.interruptedBy ? `<p><span class="badge error">interrupted</span> by ${esc(summary.interruptedBy)}: what each scenario recorded until then is below.</p>` : ''}
${summary.error ? `<p><span class="badge error">harness error</span> ${esc(summary.error)}</p>` : ''}
<table id="verdicts"><thead><tr><th>scenario</th><th>verdict</th><th>failing checks</th><th>acked INCRs</th><th>lost acked</th><th>failover</th><th>max unavailable</th><th>duration</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${sections.join('\n')}
</body></html>
`;
  const file = path.join(runDir, 'report.html');
  await writeFile(file, html);
  return file;
}

function fmt(v: number | null | undefined, unit = ''): string {
  return v === null || v === undefined ? '—' : `${v}${unit}`;
}

async function scenarioSection(runDir: string, s: RunSummary['scenarios'][number], renderer: ChartRenderer): Promise<string> {
  const dir = path.join(runDir, 'scenarios', s.name);
  // The charts are the report's least part: one that cannot be drawn (vega failing, or its code not
  // loadable after a Ctrl-C stopped the loader's helper process) leaves a note, never no report.
  const charts = await drawCharts(dir, renderer).then(
    (drawn) => drawn.map((c) => `<div class="chart" data-chart="${c.id}">${c.svg}</div>`),
    (error: unknown) => [`<p class="note">charts not drawn: ${esc(error instanceof Error ? error.message : String(error))}</p>`],
  );
  const checks = s.checks.map((c) => `<tr><td>${esc(c.name)}</td><td><span class="badge ${BADGE[String(c.valid)]}">${c.valid === true ? 'pass' : c.valid === false ? 'fail' : 'unknown'}</span></td><td>${esc(c.message)}</td></tr>`).join('');
  const faults = s.faults.map((f) => `${esc(f.kind)} ${esc(f.target)} (${esc(f.role)}) at ${(f.atMs / 1000).toFixed(2)} s`).join('; ') || 'none';
  const m = s.metrics;
  const appends = await appendFindings(dir);
  return `<section class="scenario" id="${esc(s.name)}" data-scenario="${esc(s.name)}">
<h2>${esc(s.name)} <span class="badge ${BADGE[s.status]}">${esc(s.status)}</span></h2>
${s.error ? `<p><b>${s.status === 'interrupted' ? 'interrupted' : 'error'}:</b> ${esc(s.error)}</p>` : ''}
${s.partial ? '<p class="meta" data-partial>The checks below judged a history cut short by the interruption; they decide nothing.</p>' : ''}
<p class="meta">faults: ${faults} · schedule: ${s.schedule.map((p) => `${esc(p.what)} ${p.delayMs} ms`).join(', ') || '—'}</p>
<p class="meta">attempted ${m.attempted} · acknowledged ${m.acknowledged} · failed ${m.failed} · indeterminate ${m.indeterminate} · final count ${fmt(m.finalCount)}
 · lost acknowledged ${fmt(m.lostAcknowledged)} · phantom ${fmt(m.phantom)} · failover ${fmt(m.failoverMs, ' ms')} · recovery ${fmt(m.recoveryMs, ' ms')} · p99 ${fmt(m.p99LatencyMs, ' ms')}</p>
${m.appends ? `<p class="meta" data-appends>appends: attempted ${m.appends.attempted} · acknowledged ${m.appends.acknowledged} · failed ${m.appends.failed} · indeterminate ${m.appends.indeterminate} · lost acknowledged ${fmt(m.appends.lostAcknowledged)} · rolled back ${m.appends.rolledBack}${m.appends.inMinorityWindow ? ` · ${m.appends.inMinorityWindow} in the documented minority window` : ''}</p>` : ''}
${shardTable(s)}
${appends}
${placementTable(s)}
${promisesTable(s)}
${checks ? `<table class="checks"><thead><tr><th>check</th><th>result</th><th>evidence</th></tr></thead><tbody>${checks}</tbody></table>` : ''}
${charts.join('\n')}
</section>`;
}

/** What the scenario promised (its README row), each clause judged by the checks named beside it. */
function promisesTable(s: RunSummary['scenarios'][number]): string {
  if (!s.promises?.length) return '';
  const rows = s.promises.map((p) => `<tr><td>${inline(p.says)}</td><td><span class="badge ${BADGE[String(p.valid)]}">${p.valid === true ? 'kept' : p.valid === false ? 'broken' : 'unjudged'}</span></td><td>${p.checks.map(esc).join(', ')}</td></tr>`).join('');
  return `<table class="promises"><thead><tr><th>promised</th><th>result</th><th>judged by</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The scenario's charts from its series.json, also written beside it as chart-<id>.svg; none without one. */
async function drawCharts(dir: string, renderer: ChartRenderer): Promise<{ id: string; svg: string }[]> {
  const text = await readFile(path.join(dir, 'series.json'), 'utf8').catch(() => null);
  if (!text) return [];
  const specs = scenarioChartSpecs(JSON.parse(text) as ScenarioSeries);
  const svgs = await renderer.render(specs.map((c) => c.spec));
  const charts = specs.map((c, i) => ({ id: c.id, svg: svgs[i]! }));
  await Promise.all(charts.map((c) => writeFile(path.join(dir, `chart-${c.id}.svg`), c.svg)));
  return CHARTS.flatMap((id) => charts.filter((c) => c.id === id));
}

/** One row per pod: where it was at the start (the node column is what the node scenarios judge). */
function placementTable(s: RunSummary['scenarios'][number]): string {
  if (!s.placement?.length || s.placement.every((p) => p.node === null)) return '';
  const rows = s.placement.map((p) => `<tr><td>${esc(p.pod)}</td><td>${esc(p.role)}${p.replicaOf ? ` of ${esc(p.replicaOf)}` : ''}</td><td>${esc(p.node ?? '—')}</td><td>${esc(p.zone ?? '—')}</td></tr>`).join('');
  return `<table class="placement"><thead><tr><th>pod at start</th><th>role</th><th>node</th><th>zone</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** One row per shard: its key, where it lived at the start, and what its clients lived through. */
function shardTable(s: RunSummary['scenarios'][number]): string {
  if (!s.shards?.length) return '';
  const rows = s.shards.map((k) => `<tr><td><code>${esc(k.key)}</code>${(k.keys ?? 1) > 1 ? ` and ${(k.keys ?? 1) - 1} more` : ''}</td><td>${k.slot}</td><td>${esc(k.masterAtStart)}</td><td>${k.acknowledged}</td><td>${k.failed}</td><td>${k.indeterminate}</td><td>${fmt(k.lostAcknowledged)}</td><td>${fmt(k.maxUnavailableMs, ' ms')}</td></tr>`).join('');
  const keys = s.keys ?? [];
  const lost = keys.filter((k) => (k.lostAcknowledged ?? 0) > 0 || k.valid === false);
  // The keys that failed, by name and slot: a defect in some slots shows on some keys and not others.
  const caption = keys.length ? `<caption>${keys.length} keys${lost.length ? `; ${lost.length} failed: ${lost.slice(0, 20).map((k) => `<code>${esc(k.key)}</code> (slot ${k.slot}, ${esc(k.masterAtStart)}${k.lostAcknowledged ? `, ${k.lostAcknowledged} lost` : ''})`).join(', ')}${lost.length > 20 ? ` and ${lost.length - 20} more` : ''}` : ''}</caption>` : '';
  return `<table class="shards">${caption}<thead><tr><th>keys</th><th>slot</th><th>master at start</th><th>acked</th><th>failed</th><th>indeterminate</th><th>lost acked</th><th>longest gap</th></tr></thead><tbody>${rows}</tbody></table>`;
}
