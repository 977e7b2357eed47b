import { checker } from './types.ts';

/**
 * A drain must complete: every pod of each drained node evicted before the drain's deadline. An
 * eviction that a PodDisruptionBudget kept refusing (no disruption allowed while a pod is missing,
 * or a budget no single-node pool can meet) is recorded as `evict-refused` and fails here.
 */
export const drainChecker = checker(({ faults }) => {
  const evictions = faults.filter((f) => f.kind === 'evict');
  const refused = faults.filter((f) => f.kind === 'evict-refused');
  if (evictions.length === 0 && refused.length === 0) return { valid: true, message: 'no node was drained', details: { applicable: false } };
  const details = { applicable: true, evicted: evictions.map((f) => f.target), refused: refused.map((f) => ({ pod: f.target, reason: f.reason ?? null, waitedMs: (f.endMs ?? f.atMs) - f.atMs })) };
  if (refused.length) {
    return { valid: false, message: `the drain did not complete: ${refused.map((f) => `${f.target} could not be evicted for ${Math.round(((f.endMs ?? f.atMs) - f.atMs) / 1000)} s (${f.reason ?? 'refused'})`).join('; ')}`, details };
  }
  return { valid: true, message: `the drain completed: ${evictions.length} pods evicted (${evictions.map((f) => f.target).join(', ')})`, details };
});
