import { HarnessError } from '../../errors.ts';
import type { Scheduling } from '../../manifests/types.ts';
import { seededRandom } from '../../util/random.ts';
import { NotYet, waitUntil } from '../../util/wait.ts';
import { localNodes, type LocalNode } from './nodes.ts';
import { schedule } from './scheduler.ts';

/** What the pool needs of a pod: where it is bound, and why it is not running. */
export interface BindablePod {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** The node it is bound to; null while unscheduled. A pod on a crashed node stays bound to it. */
  node: string | null;
  reason: string | null;
}

/**
 * The local platform's nodes and the binding of pods to them: the scheduler's decisions, pods that
 * wait Pending until a node fits (a cordoned pool, a crashed node), and each node's state. The
 * pods of one StatefulSet share one template, so they share one `scheduling`.
 */
export class NodePool {
  readonly nodes: LocalNode[];
  private readonly random: () => number;
  private readonly waiting = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    options: { nodes: number; zones?: number; seed: number },
    private readonly pods: () => BindablePod[],
    private readonly scheduling: Scheduling,
    /** How long a Pending pod waits for a node before it is given up (a log line says so). */
    private readonly waitMs = 600_000,
  ) {
    if (!Number.isInteger(options.nodes) || options.nodes < 1) throw new HarnessError(`--nodes ${options.nodes}: expected a whole number of nodes, at least 1`);
    const zones = options.zones ?? options.nodes;
    if (!Number.isInteger(zones) || zones < 1 || zones > options.nodes) throw new HarnessError(`--zones ${zones}: expected a whole number from 1 to --nodes (${options.nodes})`);
    this.nodes = localNodes(options.nodes, zones);
    this.random = seededRandom(options.seed, 'scheduler');
  }

  node(name: string): LocalNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new HarnessError(`no node named ${name} (nodes: ${this.nodes.map((n) => n.name).join(', ')})`);
    return node;
  }

  zoneOf(node: string | null): string | null {
    return node === null ? null : (this.nodes.find((n) => n.name === node)?.zone ?? null);
  }

  /** Binds the pod now if a node fits; otherwise records the scheduler's reason and returns false. */
  bind(pod: BindablePod): boolean {
    const placed = this.pods().flatMap((p) => (p.node && p !== pod ? [{ name: p.name, labels: p.labels, node: p.node, scheduling: this.scheduling }] : []));
    const placement = schedule({ name: pod.name, labels: pod.labels, scheduling: this.scheduling }, this.nodes, placed, this.random);
    pod.node = placement.node;
    pod.reason = placement.reason === null ? null : `Unschedulable: ${placement.reason}`;
    return placement.node !== null;
  }

  /**
   * Binds and creates the pod; when no node fits, the pod stays Pending and this returns at once,
   * as the API does, while the scheduler keeps trying in the background (a node uncordoned or back
   * up) until it fits, the wait runs out, or the platform stops.
   */
  async bindThen(pod: BindablePod, create: () => Promise<void>, onError: (error: unknown) => void): Promise<void> {
    if (this.stopping.signal.aborted) return;
    if (this.bind(pod)) return create();
    const pending = waitUntil(`a node for ${pod.name}`, async () => {
      if (!this.bind(pod)) throw new NotYet(pod.reason ?? 'no node');
    }, { timeoutMs: this.waitMs, intervalMs: 200, signal: this.stopping.signal })
      .then(() => (this.stopping.signal.aborted ? undefined : create()))
      .catch((error: unknown) => { if (!this.stopping.signal.aborted) onError(error); })
      .finally(() => this.waiting.delete(pending));
    this.waiting.add(pending);
  }

  /** Ends every background wait for a node (teardown). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.waiting]);
  }
}
