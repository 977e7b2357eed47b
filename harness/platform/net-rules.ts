/**
 * Network faults as the commands that make them, shared by the platforms: the local platform runs
 * them in a pod's network namespace with nsenter; Kubernetes runs the same through the node agent.
 * A fault is applied in the namespace of each pod it cuts or slows, never on the host, so healing
 * is deleting one nft table and one qdisc, and a deleted namespace takes its faults with it.
 */

import { createHash } from 'node:crypto';

/**
 * A run's 10-character tag, a hash of its id, for names the kernel limits (interfaces take 15
 * bytes; parallel sessions of one run have ids that differ only at the end).
 */
export function runTag(runId: string): string {
  return createHash('sha256').update(runId).digest('hex').slice(0, 10);
}

/** Named after the run: `nft list tables` in a pod's namespace shows whose table it is. */
export function faultTable(runId: string): string {
  return `rc_${runTag(runId)}`;
}

/** A partition's cuts: each member of each group, with every member of the other groups. */
export function crossGroupPeers<T>(groups: T[][]): { member: T; others: T[] }[] {
  return groups.flatMap((group, i) => {
    const others = groups.filter((_, j) => j !== i).flat();
    return group.map((member) => ({ member, others }));
  });
}

/** An nft ruleset that drops everything between this pod and `peers`: a partition, not a reject. */
export function partitionRuleset(table: string, peers: string[]): string {
  const set = peers.join(', ');
  return [
    `table inet ${table} {`,
    '  chain input { type filter hook input priority -10; policy accept;',
    `    ip saddr { ${set} } drop`,
    '  }',
    '  chain output { type filter hook output priority -10; policy accept;',
    `    ip daddr { ${set} } drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** An nft ruleset that drops `percent` of what this pod sends to `peers`, at random per packet. */
export function lossRuleset(table: string, peers: string[], percent: number): string {
  const p = Math.round(percent);
  if (!(p >= 0 && p <= 100)) throw new Error(`loss of ${percent}%: expected 0 to 100`);
  // numgen's range is 0-99: all of it is a plain drop.
  const verdict = p >= 100 ? 'drop' : `numgen random mod 100 < ${p} drop`;
  return [
    `table inet ${table} {`,
    '  chain output { type filter hook output priority -10; policy accept;',
    `    ip daddr { ${peers.join(', ')} } ${verdict}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * `tc` commands that put netem delay on what this pod sends to `peers` (all of it when `peers` is
 * empty), for Kubernetes nodes, whose kernels have netem. A prio qdisc with a fourth band keeps
 * other traffic (the app, the harness) untouched: the default priomap only uses bands 1-3, and
 * only the filters send packets to band 4. (The local platform delays with delayd.py instead: the
 * kernel it was built on has no netem.)
 */
export function netemCommands(dev: string, delayMs: number, jitterMs: number, peers: string[]): string[][] {
  const params = ['delay', `${delayMs}ms`, ...(jitterMs ? [`${jitterMs}ms`, 'distribution', 'normal'] : [])];
  if (peers.length === 0) return [['qdisc', 'replace', 'dev', dev, 'root', 'netem', ...params]];
  return [
    ['qdisc', 'replace', 'dev', dev, 'root', 'handle', '1:', 'prio', 'bands', '4'],
    ['qdisc', 'replace', 'dev', dev, 'parent', '1:4', 'handle', '40:', 'netem', ...params],
    ...peers.map((ip) => ['filter', 'add', 'dev', dev, 'parent', '1:0', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', `${ip}/32`, 'flowid', '1:4']),
  ];
}

/** What heals a pod: its fault table and its root qdisc go (each may be absent). */
export function healCommands(table: string, dev: string): { nft: string[]; tc: string[] } {
  return { nft: ['delete', 'table', 'inet', table], tc: ['qdisc', 'del', 'dev', dev, 'root'] };
}

/**
 * The shell scripts the Kubernetes node agent runs in a pod's network namespace (nsenter -n): each
 * replaces the pod's earlier fault. Plain sh, nft and tc, as in the agent's image.
 */
export function partitionScript(table: string, peers: string[]): string {
  return `nft delete table inet ${table} 2>/dev/null; nft -f - <<'RULES'\n${partitionRuleset(table, peers)}RULES`;
}

export function degradeScript(table: string, dev: string, fault: { delayMs?: number; jitterMs?: number; lossPercent?: number }, peers: string[]): string {
  const lines = [`tc qdisc del dev ${dev} root 2>/dev/null`, `nft delete table inet ${table} 2>/dev/null`];
  if (fault.delayMs !== undefined) lines.push(...netemCommands(dev, fault.delayMs, fault.jitterMs ?? 0, peers).map((args) => `tc ${args.join(' ')}`));
  if (fault.lossPercent !== undefined) lines.push(`nft -f - <<'RULES'\n${lossRuleset(table, peers, fault.lossPercent)}RULES`);
  return lines.join('\n');
}

export function healScript(table: string, dev: string): string {
  const { nft, tc } = healCommands(table, dev);
  return `nft ${nft.join(' ')} 2>/dev/null; tc ${tc.join(' ')} 2>/dev/null; true`;
}
