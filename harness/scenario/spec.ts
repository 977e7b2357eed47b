import { canFail, combine, type CheckName, type CheckResult, type Expectations, type Validity } from '../checkers/index.ts';

/** One stated expectation of a scenario (a README row's clause) and the checks that enforce it. */
export interface StatedExpectation {
  readonly says: string;
  readonly checks: readonly CheckName[];
}

/**
 * A scenario as data: what it does and what it promises, next to its file in scenarios/. The
 * README's scenario table is generated from it, and the run is judged with its `expect`, so the
 * words and the checks cannot drift apart: every promise names checks that can fail the run.
 */
export interface ScenarioSpec {
  readonly name: string;
  /** The README's "what happens". */
  readonly what: string;
  readonly promises: readonly StatedExpectation[];
  /** What the report shows without judging it: said so, so that nobody reads it as a promise. */
  readonly reported?: readonly string[];
  readonly expect: Readonly<Expectations>;
}

/** The promises whose checks could never fail this spec's run: each is a defect of the spec. */
export function unenforced(spec: ScenarioSpec): string[] {
  const problems: string[] = [];
  if (spec.promises.length === 0) problems.push(`${spec.name} promises nothing`);
  for (const p of spec.promises) {
    if (p.checks.length === 0) problems.push(`${spec.name}: "${p.says}" names no check`);
    for (const c of p.checks) if (!canFail(c, spec.expect)) problems.push(`${spec.name}: "${p.says}" rests on ${c}, which cannot fail with ${JSON.stringify(spec.expect)}`);
  }
  return problems;
}

export interface PromiseVerdict {
  says: string;
  checks: CheckName[];
  valid: Validity;
}

/** Each promise judged by its checks (false > unknown > true); a check that did not run is unknown. */
export function promiseVerdicts(promises: readonly StatedExpectation[], checks: Pick<CheckResult, 'name' | 'valid'>[]): PromiseVerdict[] {
  return promises.map((p) => ({
    says: p.says,
    checks: [...p.checks],
    valid: combine(p.checks.map((name) => checks.find((c) => c.name === name) ?? { valid: 'unknown' as const })),
  }));
}
