import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { adviceHtml, adviceMarkdown, type AdviceComparison } from '../advise/gate-section.ts';
import { shapeText } from '../manifests/index.ts';
import type { FigureOutcome, ScenarioComparison } from './compare.ts';
import { DEFAULT_REPEAT } from './counts.ts';
import { figureChart } from './figure-chart.ts';
import type { ManifestSide } from './inputs.ts';

export interface GateResult {
  gateId: string;
  verdict: 'regressed' | 'no regression';
  exitCode: 0 | 1 | 2;
  error: string | null;
  baseline: ManifestSide;
  candidate: ManifestSide;
  repeat: number;
  /** `--serial`: each repeat ran the baseline's run, then the candidate's, not both at once. */
  serial: boolean;
  seed: number;
  thresholds: unknown;
  /** Each side's runs: their run folders and exit codes. */
  runs: { side: 'baseline' | 'candidate'; repeat: number; runDir: string | null; exitCode: number | null }[];
  scenarios: ScenarioComparison[];
  /** `npm run advise` on both sides, side by side, before any run. */
  advice?: AdviceComparison;
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const ICON = { regressed: '❌ regressed', improved: '✅ improved', same: '➖ same' } as const;
// A run that never produced a figure the baseline mostly did is shown as "never", not dropped: it
// counts as the worst. Where the figure is not judged, a missing one is only a dash.
const value = (x: number | 'never' | null) => (x === null ? '—' : x === 'never' ? 'never' : String(Math.round(x)));
const runs = (f: FigureOutcome, side: 'baseline' | 'candidate') => (f.outcome === 'not measured' ? f[side].map(value) : f[side].map((x) => value(x ?? 'never'))).join(', ');
const failures = (s: ScenarioComparison) => `${s.failures.baseline}/${s.baselineStatuses.length} → ${s.failures.candidate}/${s.candidateStatuses.length}`;
/** `3 × 1 → 3 × 2 (masters × replicas per master)` when the sides differ in shape; null otherwise. */
export function shapeChange(g: Pick<GateResult, 'baseline' | 'candidate'>): string | null {
  const [a, b] = [g.baseline.shape, g.candidate.shape];
  if (!a || !b || (a.masters === b.masters && a.replicasPerMaster === b.replicasPerMaster)) return null;
  return `${shapeText(a)} → ${shapeText(b)} (masters × replicas per master): each side's scenarios run on its own shape, and the figures compare the two`;
}

/** How the sides shared the machine, said only when not both at once (the default). */
const sides = (g: GateResult) => (g.serial ? ', one side at a time (--serial)' : '');
/** Below the default repeat, a limit rests on too few baseline runs for the measured spread. */
const fewRuns = (g: GateResult) => (g.repeat < DEFAULT_REPEAT ? `${g.repeat} run(s) per side, fewer than the default ${DEFAULT_REPEAT}: a limit set by so few baseline runs is tighter than the measured healthy spread, so a figure's regression may be noise.` : null);

/** gate.md: the verdict first, then a row per scenario, then one per figure some run produced. */
export function gateMarkdown(g: GateResult): string {
  const lines = [
    `### redis-chaos gate: ${g.verdict === 'regressed' ? '❌ regression' : '✅ no regression'} (exit ${g.exitCode})`,
    '',
    `Baseline \`${g.baseline.spec}\`${g.baseline.commit ? ` (${g.baseline.commit.slice(0, 12)})` : ''} → candidate \`${g.candidate.spec}\`${g.candidate.commit ? ` (${g.candidate.commit.slice(0, 12)})` : ''}, ${g.repeat} run(s) per side${sides(g)}, seed ${g.seed}.`,
    ...(shapeChange(g) ? ['', `**The shape changes:** ${shapeChange(g)}.`] : []),
    ...(g.error ? ['', `**Harness error:** ${g.error}`] : []),
    ...(fewRuns(g) ? ['', `**Note:** ${fewRuns(g)}`] : []),
    ...adviceMarkdown(g.advice),
    '',
    '| scenario | verdict | baseline → candidate | not passed | why |',
    '|---|---|---|---|---|',
    ...g.scenarios.map((s) => `| ${s.name} | ${ICON[s.verdict]} | ${s.baselineStatuses.join(',')} → ${s.candidateStatuses.join(',')} | ${failures(s)} | ${s.reasons.join('; ').replace(/\|/g, '\\|') || '—'} |`),
    '',
    '| scenario | figure | baseline runs | candidate runs | candidate median | limit | outcome |',
    '|---|---|---|---|---:|---:|---|',
    ...g.scenarios.flatMap((s) => s.figures.filter((f) => [...f.baseline, ...f.candidate].some((x) => x !== null)).map((f) => `| ${s.name} | ${f.figure} | ${runs(f, 'baseline')} | ${runs(f, 'candidate')} | ${value(f.candidateMedian)} | ${value(f.limit)} | ${f.outcome} |`)),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The terminal's summary, one line per scenario: its verdict, the runs that passed on each side
 * ('not passed 0/3 → 0/3' read as if nothing had passed), and why.
 */
export function gateSummaryLines(g: Pick<GateResult, 'scenarios'>): string[] {
  const passed = (failures: number, runs: number) => `${runs - failures}/${runs}`;
  return g.scenarios.map((s) => `  ${s.name.padEnd(24)} ${s.verdict.padEnd(10)} passed ${passed(s.failures.baseline, s.baselineStatuses.length)} → ${passed(s.failures.candidate, s.candidateStatuses.length)}  ${s.reasons.join('; ')}`.trimEnd());
}

/** gate.html: self-contained; the verdict, then the scenarios side by side, figure by figure. */
export function gateHtml(g: GateResult): string {
  const rows = g.scenarios.map((s) => `<section data-scenario="${esc(s.name)}"><h2>${esc(s.name)} <span class="badge ${s.verdict}">${esc(s.verdict)}</span></h2>
<p class="meta">verdicts: ${esc(s.baselineStatuses.join(', '))} → ${esc(s.candidateStatuses.join(', '))} · not passed <span class="failures">${esc(failures(s))}</span> (regressed at ${esc(s.failures.margin)} more than the baseline, or at every candidate run)${s.reasons.length ? ` · <b>${esc(s.reasons.join('; '))}</b>` : ''}</p>
<table><thead><tr><th>figure</th><th>baseline runs</th><th>candidate runs</th><th>worst baseline → candidate median</th><th>limit</th><th>outcome</th><th>runs (grey: baseline, below: candidate) and limit</th></tr></thead><tbody>
${s.figures.map((f) => `<tr class="${f.outcome.replace(' ', '-')}"><td>${esc(f.figure)}</td><td>${esc(runs(f, 'baseline'))}</td><td>${esc(runs(f, 'candidate'))}</td><td>${f.baselineWorst === null ? '—' : `${esc(value(f.baselineWorst))} → ${esc(value(f.candidateMedian))}`}</td><td>${esc(value(f.limit))}</td><td>${esc(f.outcome)}</td><td>${figureChart(f)}</td></tr>`).join('\n')}
</tbody></table></section>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>redis-chaos gate ${esc(g.gateId)}: ${esc(g.verdict)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#1d3557;padding:0 16px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee}
th{background:#f6f8fa}.badge{padding:1px 8px;border-radius:10px;color:#fff;font-weight:600}.badge.regressed{background:#e63946}.badge.improved{background:#2a9d8f}.badge.same{background:#6c757d}tr.regressed td{background:#fde8ea}tr.improved td{background:#e6f4f1}tr.not-measured td{color:#6c757d}td{vertical-align:middle}.meta{color:#555}</style></head><body>
<h1 id="verdict">${g.verdict === 'regressed' ? 'Regression' : 'No regression'} (exit ${g.exitCode})</h1>
<p class="meta">baseline <code>${esc(g.baseline.spec)}</code> → candidate <code>${esc(g.candidate.spec)}</code> · ${g.repeat} run(s) per side${esc(sides(g))} · seed ${g.seed}</p>
${shapeChange(g) ? `<p id="shape-change"><b>The shape changes:</b> ${esc(shapeChange(g))}.</p>` : ''}
${g.error ? `<p><b>harness error:</b> ${esc(g.error)}</p>` : ''}${fewRuns(g) ? `<p class="note"><b>note:</b> ${esc(fewRuns(g))}</p>` : ''}

${adviceHtml(g.advice)}
${rows}
</body></html>
`;
}

export async function writeGateReports(dir: string, g: GateResult): Promise<void> {
  await writeFile(path.join(dir, 'gate.json'), `${JSON.stringify(g, null, 2)}\n`);
  await writeFile(path.join(dir, 'gate.md'), gateMarkdown(g));
  await writeFile(path.join(dir, 'gate.html'), gateHtml(g));
}
