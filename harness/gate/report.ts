import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { adviceHtml, adviceMarkdown, type AdviceComparison } from '../advise/gate-section.ts';
import type { ScenarioComparison } from './compare.ts';
import type { ManifestSide } from './inputs.ts';

export interface GateResult {
  gateId: string;
  verdict: 'regressed' | 'no regression';
  exitCode: 0 | 1 | 2;
  error: string | null;
  baseline: ManifestSide;
  candidate: ManifestSide;
  repeat: number;
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
const list = (xs: (number | null)[]) => xs.map((x) => (x === null ? '—' : String(Math.round(x)))).join(', ');

/** gate.md: the verdict first, then one row per scenario and figure that moved. */
export function gateMarkdown(g: GateResult): string {
  const lines = [
    `### redis-chaos gate: ${g.verdict === 'regressed' ? '❌ regression' : '✅ no regression'} (exit ${g.exitCode})`,
    '',
    `Baseline \`${g.baseline.spec}\`${g.baseline.commit ? ` (${g.baseline.commit.slice(0, 12)})` : ''} → candidate \`${g.candidate.spec}\`${g.candidate.commit ? ` (${g.candidate.commit.slice(0, 12)})` : ''}, ${g.repeat} run(s) per side, seed ${g.seed}.`,
    ...(g.error ? ['', `**Harness error:** ${g.error}`] : []),
    ...adviceMarkdown(g.advice),
    '',
    '| scenario | verdict | baseline → candidate | why |',
    '|---|---|---|---|',
    ...g.scenarios.map((s) => `| ${s.name} | ${ICON[s.verdict]} | ${s.baselineStatuses.join(',')} → ${s.candidateStatuses.join(',')} | ${s.reasons.join('; ').replace(/\|/g, '\\|') || '—'} |`),
    '',
    '| scenario | figure | baseline runs | candidate runs | limit | outcome |',
    '|---|---|---|---|---:|---|',
    ...g.scenarios.flatMap((s) => s.figures.filter((f) => f.outcome !== 'not measured').map((f) => `| ${s.name} | ${f.figure} | ${list(f.baseline)} | ${list(f.candidate)} | ${f.limit === null ? '—' : Math.round(f.limit)} | ${f.outcome} |`)),
  ];
  return `${lines.join('\n')}\n`;
}

/** gate.html: self-contained; the verdict, then the scenarios side by side, figure by figure. */
export function gateHtml(g: GateResult): string {
  const rows = g.scenarios.map((s) => `<section data-scenario="${esc(s.name)}"><h2>${esc(s.name)} <span class="badge ${s.verdict}">${esc(s.verdict)}</span></h2>
<p class="meta">verdicts: ${esc(s.baselineStatuses.join(', '))} → ${esc(s.candidateStatuses.join(', '))}${s.reasons.length ? ` · <b>${esc(s.reasons.join('; '))}</b>` : ''}</p>
<table><thead><tr><th>figure</th><th>baseline</th><th>candidate</th><th>change</th><th>limit</th><th>outcome</th></tr></thead><tbody>
${s.figures.map((f) => `<tr class="${f.outcome.replace(' ', '-')}"><td>${esc(f.figure)}</td><td>${esc(list(f.baseline))}</td><td>${esc(list(f.candidate))}</td><td>${f.baselineWorst === null || f.candidateMedian === null ? '—' : `${esc(Math.round(f.baselineWorst))} → ${esc(Math.round(f.candidateMedian))}`}</td><td>${f.limit === null ? '—' : esc(Math.round(f.limit))}</td><td>${esc(f.outcome)}</td></tr>`).join('\n')}
</tbody></table></section>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>redis-chaos gate ${esc(g.gateId)}: ${esc(g.verdict)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#1d3557;padding:0 16px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee}
th{background:#f6f8fa}.badge{padding:1px 8px;border-radius:10px;color:#fff;font-weight:600}.regressed{background:#e63946}.improved{background:#2a9d8f}.same{background:#6c757d}tr.regressed td{background:#fde8ea}tr.improved td{background:#e6f4f1}.meta{color:#555}</style></head><body>
<h1 id="verdict">${g.verdict === 'regressed' ? 'Regression' : 'No regression'} (exit ${g.exitCode})</h1>
<p class="meta">baseline <code>${esc(g.baseline.spec)}</code> → candidate <code>${esc(g.candidate.spec)}</code> · ${g.repeat} run(s) per side · seed ${g.seed}</p>
${g.error ? `<p><b>harness error:</b> ${esc(g.error)}</p>` : ''}
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
