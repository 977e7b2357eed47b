import { HarnessError } from '../../errors.ts';
import { crossGroupPeers, degradeScript, healScript, partitionScript } from '../net-rules.ts';
import type { LinkFault } from '../types.ts';

export interface NetFaultDeps {
  /** Runs a shell script in a pod's network namespace (the node agent). */
  inNetns(pod: string, script: string): Promise<void>;
  /** The pod's UID now, or null when it is gone. */
  podUid(pod: string): Promise<string | null>;
  /** Every Redis pod's IP. */
  podIps(): Promise<Map<string, string>>;
  /** The nft table (and tc handle) the rules go in: the run's. */
  table: string;
}

/**
 * Network faults on Kubernetes: the local platform's nft rules (and tc netem for delay), run by
 * the node agent in each pod's network namespace. Remembers each faulted pod's UID, since a pod
 * re-created since its fault has a new namespace and nothing left to heal.
 */
export class KubernetesNetFaults {
  private readonly faulted = new Map<string, string | null>();

  constructor(private readonly deps: NetFaultDeps) {}

  async partition(groups: string[][]): Promise<void> {
    const ips = await this.deps.podIps();
    // Every member's rules at once: applied one after another, the cut took seconds to complete.
    await Promise.all(crossGroupPeers(groups).map(async ({ member, others }) => {
      this.faulted.set(member, await this.deps.podUid(member));
      await this.deps.inNetns(member, partitionScript(this.deps.table, others.map((n) => ips.get(n) ?? '').filter(Boolean)));
    }));
  }

  async degrade(target: string, fault: LinkFault, peers?: string[]): Promise<void> {
    const ips = await this.deps.podIps();
    const peerIps = (peers ?? [...ips.keys()].filter((n) => n !== target)).map((n) => ips.get(n) ?? '').filter(Boolean);
    this.faulted.set(target, await this.deps.podUid(target));
    await this.deps.inNetns(target, degradeScript(this.deps.table, 'eth0', fault, peerIps));
  }

  /**
   * Removes every network fault. A pod re-created since its fault is skipped; any other pod that
   * could not be healed is an error naming it (its partition may still be in place), after every
   * other pod was tried.
   */
  async heal(): Promise<void> {
    const script = healScript(this.deps.table, 'eth0');
    const failures: string[] = [];
    const failed = (pod: string) => (e: unknown) => { failures.push(`${pod}: ${e instanceof Error ? e.message : String(e)}`); };
    await Promise.all([...this.faulted].map(async ([pod, uid]) => {
      this.faulted.delete(pod);
      let now: string | null;
      try {
        now = await this.deps.podUid(pod);
      } catch (e) {
        return failed(pod)(e);
      }
      if (now === null || now !== uid) return;
      await this.deps.inNetns(pod, script).catch(failed(pod));
    }));
    if (failures.length) throw new HarnessError(`heal failed, the network fault may still be in place: ${failures.join('; ')}`);
  }
}
