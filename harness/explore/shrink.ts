import { INSTANT, PLAN_TARGETS, planProblems, type Plan, type PlanStep } from './plan.ts';

export type Outcome = 'fail' | 'pass' | 'error';

/**
 * A schedule fails only if it fails `need` of `of` runs, stopping as soon as that is decided. One
 * run is not enough either way: on a busy machine a healthy run can fail (the false-alarm rate
 * bench:flakes measures), and a real defect can hide in one run out of several. With 2 of 3, a
 * schedule that fails by noise alone with probability p per run is taken as failing with about
 * 3p² (p = 5 %: 0.7 %), and one that fails for real 80 % of the time is kept 90 % of the time. A run
 * the harness could not judge (exit 2) counts as neither: it is run again, within `of`.
 */
export async function judgeRepeatedly(runOnce: (attempt: number) => Promise<Outcome>, need = 2, of = 3): Promise<{ fails: boolean; outcomes: Outcome[] }> {
  const outcomes: Outcome[] = [];
  for (let attempt = 1; attempt <= of; attempt++) {
    outcomes.push(await runOnce(attempt));
    const fails = outcomes.filter((o) => o === 'fail').length;
    const passes = outcomes.filter((o) => o === 'pass').length;
    if (fails >= need) return { fails: true, outcomes };
    // Not enough runs left for `need` failures.
    if (fails + (of - attempt) < need) return { fails: false, outcomes };
    if (passes > of - need) return { fails: false, outcomes };
  }
  return { fails: false, outcomes };
}

export interface ShrinkOptions {
  /** Candidates tried at most (each costs several runs); the smallest failing so far is kept. */
  maxCandidates: number;
  signal?: AbortSignal;
  /** Called with each candidate and whether it failed. */
  onCandidate?: (plan: Plan, fails: boolean) => void;
}

/** Smaller is simpler: fewer steps, then less time held, then simpler targets, then earlier starts. */
export function sizeOf(plan: Plan): [number, number, number, number] {
  return [
    plan.steps.length,
    plan.steps.reduce((t, s) => t + s.holdMs, 0),
    plan.steps.reduce((t, s) => t + PLAN_TARGETS.indexOf(s.target), 0),
    plan.steps.reduce((t, s) => t + s.atMs, 0),
  ];
}

/**
 * The smallest schedule that still fails, by greedy reduction: drop a step, halve a hold, pick a
 * simpler target, halve a start, each kept only if the result still fails (`fails` decides, with
 * its own repeats). Each accepted change restarts the passes; a schedule none of whose reductions
 * fails is locally minimal. Bounded by `maxCandidates` and the signal.
 */
export async function shrink(failing: Plan, fails: (plan: Plan) => Promise<boolean>, options: ShrinkOptions): Promise<{ plan: Plan; candidates: number; minimal: boolean }> {
  let best = failing;
  let candidates = 0;
  const tried = new Set<string>([JSON.stringify(failing.steps)]);
  for (;;) {
    let improved = false;
    for (const candidate of reductions(best)) {
      const key = JSON.stringify(candidate.steps);
      if (tried.has(key) || planProblems(candidate).length) continue;
      tried.add(key);
      if (candidates >= options.maxCandidates || options.signal?.aborted) return { plan: best, candidates, minimal: false };
      candidates++;
      const failed = await fails(candidate);
      options.onCandidate?.(candidate, failed);
      if (failed) {
        best = candidate;
        improved = true;
        break;
      }
    }
    if (!improved) return { plan: best, candidates, minimal: true };
  }
}

/** Each one-change reduction of a plan, the biggest first. */
export function* reductions(plan: Plan): Generator<Plan> {
  const withStep = (i: number, change: Partial<PlanStep>): Plan => ({ ...plan, steps: plan.steps.map((s, j) => (j === i ? { ...s, ...change } : s)) });
  for (let i = 0; i < plan.steps.length; i++) {
    if (plan.steps.length > 1) {
      const steps = plan.steps.filter((_, j) => j !== i);
      // The first remaining step starts at once: a leading gap is only delay.
      const shift = Math.min(...steps.map((s) => s.atMs));
      yield { ...plan, steps: steps.map((s) => ({ ...s, atMs: s.atMs - shift })) };
    }
  }
  for (let i = 0; i < plan.steps.length; i++) {
    const s = plan.steps[i]!;
    if (!INSTANT.includes(s.fault) && s.holdMs >= 1000) yield withStep(i, { holdMs: halfGrain(s.holdMs) });
  }
  for (let i = 0; i < plan.steps.length; i++) {
    const rank = PLAN_TARGETS.indexOf(plan.steps[i]!.target);
    for (let r = 0; r < rank; r++) yield withStep(i, { target: PLAN_TARGETS[r]! });
  }
  for (let i = 0; i < plan.steps.length; i++) {
    const s = plan.steps[i]!;
    if (s.atMs >= 1000) yield withStep(i, { atMs: halfGrain(s.atMs) });
  }
}

const halfGrain = (ms: number) => Math.max(500, 500 * Math.round(ms / 2 / 500));
