import { disagreements } from '../cluster/index.ts';
import { checker } from './types.ts';

/**
 * At the end, every node agrees on every node's address, role, master and slots, including each
 * node's view of itself: a `myself` entry that still carries the pod's old IP fails this check.
 */
export const configConsistentChecker = checker(({ final }) => {
  if (!final) return { valid: 'unknown', message: 'no final topology was taken', details: {} };
  const unreachable = final.views.filter((v) => !v.reachable).map((v) => v.pod);
  const found = disagreements(final);
  const details = { disagreements: found.slice(0, 20), count: found.length, unreachable };
  if (unreachable.length) return { valid: false, message: `cannot agree: ${unreachable.join(', ')} unreachable at the end`, details };
  if (found.length) return { valid: false, message: `${found.length} disagreements, first: ${found.slice(0, 3).join('; ')}`, details };
  return { valid: true, message: `all ${final.views.length} nodes agree on addresses, roles and slots`, details };
});
