import { HarnessError } from '../../errors.ts';
import type { PodStatus } from '../types.ts';
import type { KubernetesPodFaults } from './pod-faults.ts';

export interface NodeFaultDeps {
  /** The Redis pods now, as the platform's pods() lists them. */
  pods(): Promise<PodStatus[]>;
  /** How a pod is held down and brought back. */
  faults: Pick<KubernetesPodFaults, 'kill' | 'restart'>;
}

/** Node crashes on Kubernetes: which pods each crashed node held, so that restoreNode brings those back. */
export class KubernetesNodeFaults {
  /** Pods of a "crashed" node: frozen until restoreNode. */
  private readonly lost = new Map<string, string[]>();

  constructor(private readonly deps: NodeFaultDeps) {}

  /**
   * A node's failure, as far as a shared cluster allows: this run's Redis pods on the node are
   * frozen at once (SIGSTOP from the node agent, as `kill` holds a pod) and stay so until
   * `restoreNode` ends them with SIGKILL and the kubelet restarts them in place. The node itself
   * stays up, so nobody else's pods are touched; peers see the pods vanish as from a dead node.
   */
  async crashNode(node: string): Promise<string[]> {
    if (this.lost.has(node)) throw new HarnessError(`${node} is already down`);
    const on = (await this.deps.pods()).filter((p) => p.node === node && p.ip).map((p) => p.name);
    this.lost.set(node, on);
    await Promise.all(on.map((pod) => this.deps.faults.kill(pod)));
    return on;
  }

  async restoreNode(node: string): Promise<void> {
    const pods = this.lost.get(node) ?? [];
    this.lost.delete(node);
    await Promise.all(pods.map((pod) => this.deps.faults.restart(pod)));
  }
}
