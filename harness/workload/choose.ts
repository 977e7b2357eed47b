import type { Workload } from './history.ts';

/**
 * The least rate, in operations per second, that each shard's counter and each shard's list must
 * get for both to run by default: 10 a second puts tens of operations of each kind inside a
 * failover's seconds, so a loss on any shard shows in the counter and in the list. Below it the
 * two would each see too few writes to tell a loss from quiet, and the counter runs alone.
 */
export const MIN_RATE_PER_SHARD_AND_WORKLOAD = 10;

export interface WorkloadChoice {
  workload: Workload;
  /** Why the default fell back to the counter alone; null when the run got what it asked for. */
  why: string | null;
}

/**
 * The load a scenario drives: --workload when given; otherwise the counter and the list workload
 * side by side (`both`), where the run's rate allows it (uncapped, or at least
 * MIN_RATE_PER_SHARD_AND_WORKLOAD for each workload on each shard), else the counter alone.
 */
export function chooseWorkload(given: Workload | undefined, ratePerSec: number | null | undefined, shards: number): WorkloadChoice {
  if (given) return { workload: given, why: null };
  if (!ratePerSec) return { workload: 'both', why: null };
  const needed = 2 * shards * MIN_RATE_PER_SHARD_AND_WORKLOAD;
  if (ratePerSec >= needed) return { workload: 'both', why: null };
  return {
    workload: 'counter',
    why: `the counter alone: ${ratePerSec} ops/s is below the ${needed} ops/s that both workloads need on ${shards} shards (${MIN_RATE_PER_SHARD_AND_WORKLOAD} a second each, on each shard); --workload both runs them anyway`,
  };
}
