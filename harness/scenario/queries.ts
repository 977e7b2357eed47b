import type { NodeStatus } from '../platform/types.ts';
import type { ScenarioEnv } from './context.ts';
import { counterMaster, mastersBySlot, nodeOfPod, replicasOfMaster } from './topology.ts';
import { waitForPodReady } from './waits.ts';

/**
 * What a scenario may ask of the cluster right now, between its faults: pods, masters, replicas,
 * nodes. ScenarioRun extends it, so that a scenario still reads `run.replicaOf(master)`, as the
 * walkthrough reads `cluster nodes`; the run's lifecycle (load, faults, waits, verdict) is run.ts's.
 */
export abstract class ClusterQueries {
  protected constructor(
    protected readonly env: ScenarioEnv,
    /** The slot of the default counter key: the shard a scenario's single-key checks read. */
    readonly counterSlot: number,
  ) {}

  abstract log(message: string): void;

  /** The pod replicating `master` right now (the first, with more than one). */
  async replicaOf(master: string): Promise<string> {
    return (await this.replicasOf(master))[0]!;
  }

  /** The replicas of a master right now, in pod order; a master with none is a HarnessError. */
  async replicasOf(master: string): Promise<string[]> {
    return replicasOfMaster(this.env.platform, master);
  }

  /** The pods that are masters with slots right now, in slot order. */
  async masters(): Promise<string[]> {
    return mastersBySlot(this.env.platform);
  }

  /** The Redis pod with this ordinal, named as its StatefulSet names it (`redis-cluster-0` for the seed, `cache-0` for examples/renamed). */
  pod(ordinal: number): string {
    return `${this.env.system.redis.statefulSet.name}-${ordinal}`;
  }

  /** The StatefulSet's pods, in ordinal order. */
  async podNames(): Promise<string[]> {
    return (await this.env.platform.pods()).map((p) => p.name);
  }

  /** Until the pod is Ready (its readiness probe, or Running without one), as the controller waits. */
  async podReady(name: string): Promise<void> {
    await waitForPodReady(this.env, name);
  }

  /** The cluster's nodes, in name order. */
  async nodes(): Promise<NodeStatus[]> {
    return this.env.platform.nodes();
  }

  /** The node a pod is bound to right now. */
  async nodeOf(pod: string): Promise<NodeStatus> {
    return nodeOfPod(this.env.platform, pod);
  }

  /** The pod serving the counter key's slot right now. */
  async masterOfCounter(): Promise<string> {
    const pod = await counterMaster(this.env.platform, this.counterSlot);
    this.log(`${pod} is master of slot ${this.counterSlot}`);
    return pod;
  }
}
