import { createHash } from 'node:crypto';

/**
 * Every kernel object a namespaced run creates carries its run id, so the sweeper can tell whose
 * it is without guessing. Interface names are limited to 15 bytes, so they carry a 10-character
 * tag, a hash of the id (parallel sessions of one run have ids that differ only at the end);
 * namespace names carry the whole id.
 */
export const NETNS_PREFIX = 'rc-';

export function runTag(runId: string): string {
  return createHash('sha256').update(runId).digest('hex').slice(0, 10);
}

export function bridgeName(runId: string): string {
  return `rc${runTag(runId)}`;
}

export function vethName(runId: string, seq: number): string {
  return `rc${runTag(runId)}${seq}`;
}

export function netnsName(runId: string, pod: string, seq: number): string {
  return `${NETNS_PREFIX}${runId}-${pod}-${seq}`;
}

/** Whether a namespace name is one of ours, and of which of `runIds` (the longest that fits). */
export function runOfNetns(name: string, runIds: string[]): string | null {
  if (!name.startsWith(NETNS_PREFIX)) return null;
  return runIds.filter((id) => name.startsWith(`${NETNS_PREFIX}${id}-`)).sort((a, b) => b.length - a.length)[0] ?? null;
}

/** The run tag in an interface name (bridge or veth), or null. */
export function tagOfLink(name: string): string | null {
  return /^rc([0-9a-f]{10})\d*$/.exec(name)?.[1] ?? null;
}
