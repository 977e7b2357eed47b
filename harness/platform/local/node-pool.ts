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
  readonly ip: string | null;
  killNow(): void;
  delete(gracePeriodSeconds: number): Promise<void>;
  create(): Promise<void>;
}

/**
 * The local platform's nodes and the binding of pods to them: the scheduler's decisions, pods that
 * wait Pending until a node fits (a cordoned pool, a crashed node), and each node's state. The
 * pods of one StatefulSet share one template, so they share one `scheduling`.
 */
export class NodePool<P extends BindablePod> {
  readonly nodes: LocalNode[];
  private readonly random: () => number;
  private readonly waiting = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  /** Pods of a crashed node, bound to it until it returns. */
  private readonly lost = new Map<string, P[]>();

  constructor(
    options: { nodes: number; zones?: number; seed: number },
    private readonly pods: () => P[],
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
  bind(pod: P): boolean {
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
  async bindThen(pod: P, create: () => Promise<void>, onError: (error: unknown) => void): Promise<void> {
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

  /**
   * The node fails: its pods are SIGKILLed at once (no grace, no shutdown), their network goes, and
   * they stay bound to it, as the API keeps a lost node's pods until it returns (for less than the
   * 5-minute eviction timeout, the StatefulSet controller does not replace them). `gone` hears each
   * pod's old IP, for the connections to it.
   */
  async crash(name: string, gone: (ip: string) => void): Promise<string[]> {
    const node = this.node(name);
    if (!node.ready) throw new HarnessError(`${name} is already down`);
    node.ready = false;
    const victims = this.pods().filter((p) => p.node === name);
    for (const p of victims) p.killNow();
    await Promise.all(victims.map(async (p) => {
      const ip = p.ip;
      await p.delete(0);
      if (ip) gone(ip);
      p.node = name;
      p.reason = `NodeLost: ${name} is down`;
    }));
    this.lost.set(name, victims);
    return victims.map((p) => p.name);
  }

  /** The node is back: the kubelet starts its pods again on it, all at once. */
  async restore(name: string): Promise<void> {
    const node = this.node(name);
    if (node.ready) return;
    node.ready = true;
    const pods = this.lost.get(name) ?? [];
    this.lost.delete(name);
    await Promise.all(pods.map(async (p) => {
      p.reason = null;
      await p.create();
    }));
  }

  /** Ends every background wait for a node (teardown). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.waiting]);
  }
}
