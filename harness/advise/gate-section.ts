// The gate's advice section: `npm run advise` on the baseline and the candidate, side by side, so
// that a pull request sees a new risk before any scenario has run. Rendered here rather than in
// harness/gate/report.ts so that the gate's own files change by a line or two.
import path from 'node:path';
import { errorMessage } from '../errors.ts';
import { advise } from './index.ts';
import type { Finding } from './types.ts';
import type { NameChoices } from '../manifests/index.ts';

export interface AdviceRow {
  rule: string;
  severity: Finding['severity'];
  scenario: Finding['scenario'];
  message: string;
  /** `file:line` within each side's manifests folder; null where the side has no such finding. */
  baseline: string | null;
  candidate: string | null;
  change: 'new' | 'same' | 'gone';
}

export interface AdviceComparison {
  baseline: { risks: number; notes: number; error: string | null };
  candidate: { risks: number; notes: number; error: string | null };
  /** Candidate findings absent from the baseline: the ones a pull request brings. */
  newRisks: number;
  rows: AdviceRow[];
}

async function side(dir: string, choices: NameChoices) {
  try {
    const findings = await advise(dir, choices);
    const risks = findings.filter((f) => f.severity === 'risk').length;
    return { findings, risks, notes: findings.length - risks, error: null };
  } catch (error) {
    // The gate has validated both sides already; advice is never a reason for the gate to fail.
    return { findings: [] as Finding[], risks: 0, notes: 0, error: errorMessage(error) };
  }
}

/**
 * Findings are matched by rule and message, which name objects and settings but not the folder or
 * the line, so that a finding moved by an edit above it, or a set copied out of git, is the same.
 */
export async function compareAdvice(baselineDir: string, candidateDir: string, choices: NameChoices = {}): Promise<AdviceComparison> {
  const [b, c] = await Promise.all([side(baselineDir, choices), side(candidateDir, choices)]);
  const where = (dir: string, f: Finding) => `${path.relative(dir, path.resolve(f.file))}:${f.line}`;
  const key = (f: Finding) => `${f.rule}\n${f.message}`;
  const unmatched = [...b.findings];
  const rows: AdviceRow[] = c.findings.map((f) => {
    const i = unmatched.findIndex((x) => key(x) === key(f));
    const before = i === -1 ? null : unmatched.splice(i, 1)[0]!;
    return { rule: f.rule, severity: f.severity, scenario: f.scenario, message: f.message, baseline: before && where(baselineDir, before), candidate: where(candidateDir, f), change: before ? 'same' : 'new' };
  });
  rows.push(...unmatched.map((f): AdviceRow => ({ rule: f.rule, severity: f.severity, scenario: f.scenario, message: f.message, baseline: where(baselineDir, f), candidate: null, change: 'gone' })));
  const order = { new: 0, same: 1, gone: 2 };
  rows.sort((x, y) => order[x.change] - order[y.change]);
  return {
    baseline: { risks: b.risks, notes: b.notes, error: b.error },
    candidate: { risks: c.risks, notes: c.notes, error: c.error },
    newRisks: rows.filter((r) => r.change === 'new' && r.severity === 'risk').length,
    rows,
  };
}

const count = (s: AdviceComparison['baseline']) => (s.error ? `not advised (${s.error})` : `${s.risks} risk${s.risks === 1 ? '' : 's'}${s.notes ? `, ${s.notes} note${s.notes === 1 ? '' : 's'}` : ''}`);
const summary = (a: AdviceComparison) => `baseline ${count(a.baseline)}; candidate ${count(a.candidate)}`;
const news = (a: AdviceComparison) => `${a.newRisks || 'no'} new risk${a.newRisks === 1 ? '' : 's'}`;
const MARK = { new: '🆕 new', same: '', gone: '✅ gone' } as const;

/** For the gate's console, before the runs start: the counts, and each new finding in full. */
export function adviceConsole(a: AdviceComparison): string[] {
  return [`advice: ${summary(a)}, ${news(a)}`, ...a.rows.filter((r) => r.change === 'new').map((r) => `  new: ${r.candidate}  ${r.rule}  ${r.severity === 'note' ? 'note: ' : ''}${r.message}  (shown by: ${r.scenario})`)];
}

/** gate.md's section; nothing when the gate ran without advice. */
export function adviceMarkdown(a: AdviceComparison | undefined): string[] {
  if (!a) return [];
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '',
    `#### Advice before any run (\`npm run advise\`): ${a.newRisks ? `**${news(a)}**` : news(a)}`,
    '',
    `${summary(a)}.`,
    ...(a.rows.length ? ['', '| | rule | finding (shown by) | baseline | candidate |', '|---|---|---|---|---|',
      ...a.rows.map((r) => `| ${MARK[r.change]} | ${r.rule} | ${r.severity === 'note' ? '(note) ' : ''}${cell(r.message)} (\`${r.scenario}\`) | ${r.baseline ? `\`${r.baseline}\`` : '—'} | ${r.candidate ? `\`${r.candidate}\`` : '—'} |`)] : []),
  ];
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** gate.html's section, self-contained (its own style); empty when the gate ran without advice. */
export function adviceHtml(a: AdviceComparison | undefined): string {
  if (!a) return '';
  const rows = a.rows.map((r) => `<tr class="advice-${r.change}" data-rule="${esc(r.rule)}"><td>${esc(MARK[r.change])}</td><td>${esc(r.rule)}</td><td>${r.severity === 'note' ? '(note) ' : ''}${esc(r.message)} <span class="meta">shown by ${esc(r.scenario)}</span></td><td>${esc(r.baseline ?? '—')}</td><td>${esc(r.candidate ?? '—')}</td></tr>`).join('\n');
  return `<section id="advice"><style>#advice tr.advice-new td{background:#fde8ea}#advice tr.advice-gone td{background:#e6f4f1}</style>
<h2>Advice before any run <span class="meta">(npm run advise)</span></h2>
<p class="meta">${esc(`${summary(a)}, ${news(a)}`)}</p>
${a.rows.length ? `<table><thead><tr><th></th><th>rule</th><th>finding</th><th>baseline</th><th>candidate</th></tr></thead><tbody>
${rows}
</tbody></table>` : ''}</section>`;
}
