import { seededRandom } from '../util/random.ts';
import { conflict, INSTANT, PLAN_TARGETS, type Plan, type PlanFault, type PlanStep, type PlanTarget } from './plan.ts';

export interface GenerateOptions {
  faults: readonly PlanFault[];
  /** At most this many steps (at least 1). */
  maxSteps: number;
  nodeTimeoutMs: number;
}

/** Holds and starts in whole half-seconds: shorter steps than that are noise in a 250 ms sample. */
const GRAIN_MS = 500;
/** The share of steps on the schedule's focus shard; the rest go anywhere. */
const FOCUS = 0.7;

/**
 * A random schedule from `seed`, the same for the same seed and options. Holds run from half a node
 * timeout to six (a failover takes about two, so both sides of it are drawn, and holds long enough
 * for a liveness probe to act); starts spread over four node timeouts, so that steps overlap about
 * as often as not. Most targets fall on one shard, drawn per schedule: a master and its own replica
 * faulted together is where Redis Cluster's compositions bite (no replica left to promote), and
 * uniform targets would spread faults across shards that each survive theirs. A step that would conflict with one already drawn (the same pod at the same time,
 * two network faults) is drawn again, up to a bound, else left out.
 */
export function generatePlan(seed: number, options: GenerateOptions): Plan {
  const random = seededRandom(seed, 'explore');
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const grains = (minMs: number, maxMs: number) => GRAIN_MS * Math.round((minMs + random() * (maxMs - minMs)) / GRAIN_MS);
  const count = 1 + Math.floor(random() * Math.max(1, options.maxSteps));
  const focus = pick(['counter', 'other'] as const);
  const target = (): PlanTarget => (random() < FOCUS ? pick([`${focus}-master`, `${focus}-replica`] as const) : pick(PLAN_TARGETS));
  const steps: PlanStep[] = [];
  for (let i = 0; i < count; i++) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const fault = pick(options.faults);
      const step: PlanStep = {
        fault,
        target: target(),
        atMs: i === 0 ? 0 : grains(0, 4 * options.nodeTimeoutMs),
        holdMs: INSTANT.includes(fault) ? 0 : Math.max(GRAIN_MS, grains(options.nodeTimeoutMs / 2, 6 * options.nodeTimeoutMs)),
      };
      if (steps.every((s) => conflict(s, step) === null)) {
        steps.push(step);
        break;
      }
    }
  }
  return { version: 1, seed, steps: steps.sort((a, b) => a.atMs - b.atMs) };
}

/** The seed of run `i` of an exploration: distinct, and the same for the same exploration seed. */
export const runSeed = (seed: number, i: number) => (Math.imul(seed ^ 0x9e3779b9, 31) + i * 7919) >>> 0;
