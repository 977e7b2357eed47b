import { runTag } from '../../net-rules.ts';

/**
 * Every kernel object a namespaced run creates carries its run id, so the sweeper can tell whose
 * it is without guessing. Interface names are limited to 15 bytes, so they carry the run's tag;
 * namespace names carry the whole id.
 */
export const NETNS_PREFIX = 'rc-';
export { runTag };

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
