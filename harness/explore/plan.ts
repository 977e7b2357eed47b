import { readFileSync } from 'node:fs';
import { HarnessError } from '../errors.ts';

/** The fault kinds a schedule may compose: the fault library's pod, network and node faults. */
export const PLAN_FAULTS = ['kill', 'crash', 'pause', 'partition', 'delay', 'delete', 'full-restart', 'node-crash'] as const;
export type PlanFault = (typeof PLAN_FAULTS)[number];

/**
 * Whom a step hits, resolved once from the topology when the schedule starts, so that a replay
 * hits the same roles: the counter's shard (the default key's master and its replica) or another.
 * In order of simplicity: the shrinker tries earlier ones first.
 */
export const PLAN_TARGETS = ['counter-master', 'counter-replica', 'other-master', 'other-replica'] as const;
export type PlanTarget = (typeof PLAN_TARGETS)[number];

/** Faults with no hold: their action is the whole fault. */
export const INSTANT: readonly PlanFault[] = ['crash', 'delete', 'full-restart'];
/** Faults that touch every pod, or every pod of a node: nothing may overlap them. */
export const WHOLE: readonly PlanFault[] = ['full-restart', 'node-crash'];
/** Faults the platform heals all at once (`heal()`): at most one may be open at a time. */
export const NETWORK: readonly PlanFault[] = ['partition', 'delay'];

export interface PlanStep {
  fault: PlanFault;
  target: PlanTarget;
  /** When the step starts, after the warm-up, on the scenario's clock. */
  atMs: number;
  /** How long the fault is held before it is undone; 0 for an instant fault. */
  holdMs: number;
}

/** A fault schedule: what `npm run explore` generates and shrinks, and `--schedule FILE` replays. */
export interface Plan {
  version: 1;
  /** The seed it was generated from, if it was; a replay uses the run's own --seed for its warm-up. */
  seed: number | null;
  steps: PlanStep[];
}

/** The least gap between two steps that may not overlap. */
export const SPACING_MS = 2000;

export const stepEndMs = (s: PlanStep) => s.atMs + (INSTANT.includes(s.fault) ? 0 : s.holdMs);

/** One line: `pause counter-master at 0 ms for 9000 ms; kill counter-replica at 1500 ms for 6000 ms`. */
export function describePlan(plan: Plan): string {
  return plan.steps.map((s) => `${s.fault} ${s.fault === 'full-restart' ? 'every pod' : s.target} at ${s.atMs} ms${INSTANT.includes(s.fault) ? '' : ` for ${s.holdMs} ms`}`).join('; ') || 'no faults';
}

/**
 * Why two steps cannot run together, or null: steps that overlap in time (or come within
 * SPACING_MS of each other) must touch different
 * pods, a whole-cluster or whole-node fault overlaps nothing, and one network fault at a time
 * (healing one heals all). A replay must do what the schedule says, so these are refused, not bent.
 */
export function conflict(a: PlanStep, b: PlanStep): string | null {
  // Each fault and its undo first snapshot the topology (about a second under load), so steps
  // drift late: two on one pod closer than this could swap, a resume landing after the next pause.
  const overlap = a.atMs <= stepEndMs(b) + SPACING_MS && b.atMs <= stepEndMs(a) + SPACING_MS;
  if (!overlap) return null;
  if (WHOLE.includes(a.fault) || WHOLE.includes(b.fault)) return `${a.fault} and ${b.fault} overlap, and ${WHOLE.includes(a.fault) ? a.fault : b.fault} touches every pod it can`;
  if (a.target === b.target) return `${a.fault} and ${b.fault} overlap on ${a.target}`;
  if (NETWORK.includes(a.fault) && NETWORK.includes(b.fault)) return `${a.fault} and ${b.fault} overlap, and healing one heals both`;
  return null;
}

export function planProblems(plan: Plan): string[] {
  const problems: string[] = [];
  for (let i = 0; i < plan.steps.length; i++) {
    for (let j = i + 1; j < plan.steps.length; j++) {
      const why = conflict(plan.steps[i]!, plan.steps[j]!);
      if (why) problems.push(`steps ${i + 1} and ${j + 1}: ${why}`);
    }
  }
  return problems;
}

/** A schedule file, validated; every mistake is one line naming the file and the step. */
export function readPlan(file: string): Plan {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new HarnessError(`--schedule ${file}: ${why}`);
  }
  return parsePlan(raw, `--schedule ${file}`);
}

export function parsePlan(raw: unknown, where: string): Plan {
  const obj = raw as Partial<Plan> | null;
  if (typeof obj !== 'object' || obj === null || obj.version !== 1 || !Array.isArray(obj.steps)) throw new HarnessError(`${where}: expected {"version": 1, "steps": [...]}`);
  const steps = obj.steps.map((s: Partial<PlanStep>, i): PlanStep => {
    const at = `${where}: step ${i + 1}`;
    if (!PLAN_FAULTS.includes(s.fault as PlanFault)) throw new HarnessError(`${at}: fault ${JSON.stringify(s.fault)}; valid: ${PLAN_FAULTS.join(', ')}`);
    if (!PLAN_TARGETS.includes(s.target as PlanTarget)) throw new HarnessError(`${at}: target ${JSON.stringify(s.target)}; valid: ${PLAN_TARGETS.join(', ')}`);
    for (const k of ['atMs', 'holdMs'] as const) {
      if (!Number.isSafeInteger(s[k]) || s[k]! < 0 || s[k]! > 600_000) throw new HarnessError(`${at}: ${k} must be an integer from 0 to 600000`);
    }
    return { fault: s.fault!, target: s.target!, atMs: s.atMs!, holdMs: s.holdMs! };
  });
  const plan: Plan = { version: 1, seed: typeof obj.seed === 'number' ? obj.seed : null, steps };
  const problems = planProblems(plan);
  if (problems.length) throw new HarnessError(`${where}: ${problems[0]}`);
  return plan;
}
