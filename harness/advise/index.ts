import { RULES } from './rules.ts';
import { loadSubject } from './subject.ts';
import type { Finding, Subject } from './types.ts';
import type { NameChoices } from '../manifests/index.ts';

export { RULES } from './rules.ts';
export { loadSubject, subjectOf } from './subject.ts';
export type { Finding, Rule, Severity, Subject } from './types.ts';

/** Every rule on one resolved manifest set, in file and line order. */
export function adviseSubject(subject: Subject): Finding[] {
  return RULES.flatMap((rule) => rule.check(subject))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
}

/** Reads a manifests folder and advises on it; bad input throws a HarnessError (a ManifestError), as the other commands do. */
export async function advise(dir: string, choices: NameChoices = {}): Promise<Finding[]> {
  return adviseSubject(await loadSubject(dir, choices));
}

/** `file:line  rule  message  (shown by: scenario)`, a note marked as one. */
export const formatFinding = (f: Finding) => `${f.file}:${f.line}  ${f.rule}  ${f.severity === 'note' ? 'note: ' : ''}${f.message}  (shown by: ${f.scenario})`;

export function countLine(findings: Finding[]): string {
  const risks = findings.filter((f) => f.severity === 'risk').length;
  const notes = findings.length - risks;
  return `${risks} risk${risks === 1 ? '' : 's'}, ${notes} note${notes === 1 ? '' : 's'}`;
}
