/**
 * Every kernel object a namespaced run creates carries its run id, so the sweeper can tell whose
 * it is without guessing. Interface names are limited to 15 bytes, so they carry a 10-character
 * tag of the id (its time of day and its random part); namespace names carry the whole id.
 */
export const NETNS_PREFIX = 'rc-';

export function runTag(runId: string): string {
  const [, time, random] = runId.split('-');
  return `${time ?? ''}${random ?? ''}`;
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

/** The run id in a namespace name, or null when the name is not one of ours. */
export function runIdOfNetns(name: string): string | null {
  return /^rc-(\d{8}-\d{6}-[0-9a-f]{4})-/.exec(name)?.[1] ?? null;
}

/** The run tag in an interface name (bridge or veth), or null. */
export function tagOfLink(name: string): string | null {
  return /^rc(\d{6}[0-9a-f]{4})\d*$/.exec(name)?.[1] ?? null;
}
