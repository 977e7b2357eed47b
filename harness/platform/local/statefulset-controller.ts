import { NotYet, waitUntil } from '../../util/wait.ts';

/** What the controller needs of a pod: its ordinal, and whether it is there (not deleted, not being re-created). */
export interface ControlledPod {
  readonly name: string;
  readonly ordinal: number;
  phase: 'Pending' | 'Running' | 'Terminating' | 'Failed';
}

/**
 * The StatefulSet controller's re-creation of deleted pods, as Kubernetes does it: under
 * `Parallel`, a deleted pod is re-created at once; under `OrderedReady` (the default), a pod is
 * re-created only once every pod of a lower ordinal is Running and Ready, so deleting pods 0 and 1
 * together brings back 0 first and 1 after 0 is ready. `deletePod` returns, as `kubectl delete pod`
 * does, once the old pod is gone; a re-creation still waiting goes on in the background, and
 * `stop()` ends it (teardown).
 */
export class StatefulSetController<P extends ControlledPod> {
  private readonly waiting = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly pods: P[],
    private readonly policy: 'OrderedReady' | 'Parallel',
    private readonly isReady: (pod: P) => Promise<boolean>,
    private readonly create: (pod: P) => Promise<void>,
    private readonly onError: (pod: P, error: unknown) => void,
    /** How long an OrderedReady re-creation may wait for the lower ordinals. */
    private readonly waitMs = 600_000,
  ) {}

  /**
   * Re-creates a deleted pod. Resolves once it is created, or, when it must wait for lower
   * ordinals, once that wait has begun (the creation then follows in the background).
   */
  async recreate(pod: P): Promise<void> {
    if (this.stopping.signal.aborted) return;
    if (await this.lowerOrdinalsReady(pod)) return this.create(pod);
    const pending = waitUntil(`${pod.name}'s lower ordinals ready (OrderedReady)`, async () => {
      if (!(await this.lowerOrdinalsReady(pod))) throw new NotYet('waiting');
    }, { timeoutMs: this.waitMs, intervalMs: 100, signal: this.stopping.signal })
      .then(() => (this.stopping.signal.aborted ? undefined : this.create(pod)))
      .catch((error: unknown) => { if (!this.stopping.signal.aborted) this.onError(pod, error); })
      .finally(() => this.waiting.delete(pending));
    this.waiting.add(pending);
  }

  /** Whether a re-creation is still waiting for its turn. */
  get pending(): number {
    return this.waiting.size;
  }

  /** Ends every waiting re-creation (teardown): nothing is created after it. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.waiting]);
  }

  private async lowerOrdinalsReady(pod: P): Promise<boolean> {
    if (this.policy === 'Parallel') return true;
    for (const other of this.pods) {
      if (other.ordinal >= pod.ordinal) continue;
      if (other.phase !== 'Running' || !(await this.isReady(other))) return false;
    }
    return true;
  }
}
