import { execa } from 'execa';
import { faultTable, healCommands, netemCommands, partitionRuleset, type Netem } from '../../net-rules.ts';
import type { PodInterface } from './network.ts';

/**
 * Network faults inside the pods' own namespaces: nft tables for partitions, netem for delay and
 * loss. Every namespace touched is remembered, so `heal()` undoes exactly what was done.
 */
export class LocalNetFaults {
  private readonly touched = new Map<string, PodInterface>();

  constructor(private readonly runTag: string) {}

  /** Drops all traffic between `target` and each of `peers`, both ways, in `target`'s namespace. */
  async cut(target: PodInterface, peers: string[]): Promise<void> {
    if (peers.length === 0) return;
    this.touched.set(target.netns, target);
    const table = faultTable(this.runTag);
    await inNetns(target.netns, 'nft', ['delete', 'table', 'inet', table], undefined, true);
    await inNetns(target.netns, 'nft', ['-f', '-'], partitionRuleset(table, peers));
  }

  async netem(target: PodInterface, netem: Netem, peers: string[]): Promise<void> {
    this.touched.set(target.netns, target);
    await inNetns(target.netns, 'tc', ['qdisc', 'del', 'dev', 'eth0', 'root'], undefined, true);
    for (const args of netemCommands('eth0', netem, peers)) await inNetns(target.netns, 'tc', args);
  }

  /** Heals every namespace a fault touched; `alive` filters out those already deleted with their pod. */
  async heal(alive: (netns: string) => boolean = () => true): Promise<string[]> {
    const healed: string[] = [];
    const { nft, tc } = healCommands(faultTable(this.runTag), 'eth0');
    for (const [netns] of [...this.touched]) {
      this.touched.delete(netns);
      if (!alive(netns)) continue;
      await inNetns(netns, 'nft', nft, undefined, true);
      await inNetns(netns, 'tc', tc, undefined, true);
      healed.push(netns);
    }
    return healed;
  }
}

async function inNetns(netns: string, tool: string, args: string[], input?: string, mayFail = false): Promise<void> {
  const result = await execa('nsenter', [`--net=/run/netns/${netns}`, '--', tool, ...args], { input, timeout: 10_000, reject: false });
  if (result.exitCode !== 0 && !mayFail) throw new Error(`${tool} ${args.join(' ')} in ${netns}: ${(result.stderr || result.stdout).trim()}`);
}
