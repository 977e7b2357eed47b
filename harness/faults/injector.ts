import { answeredSnapshot, selfEntries, snapshot, type Topology } from '../cluster/index.ts';
import { faultEndMs, type FaultKind, type FaultRecord } from '../checkers/index.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { HarnessError } from '../errors.ts';
import { NotYet, waitUntil } from '../util/wait.ts';
import type { Clock } from '../workload/clock.ts';
import { persistenceOf } from './persistence.ts';
import { faultRecord } from './record.ts';

/**
 * What can be done to a pod, Jepsen's nemesis for this harness. Every fault is recorded with what
 * its target was just before (role, node id, slots, replicas), which the checkers judge against.
 */
export class FaultInjector {
  readonly records: FaultRecord[] = [];
  /** Which node each crashed pod was on, for `restoreNode`. */
  private readonly crashedNodes = new Map<string, string>();

  constructor(
    private readonly platform: RunningPlatform,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  /** Like `kubectl delete pod`: graceful stop, then the StatefulSet re-creates it under a new IP. */
  async deletePod(...pods: string[]): Promise<void> {
    const before = await this.before();
    // Several pods are deleted "at once", as the walkthrough did: the calls run concurrently.
    await Promise.all(pods.map((pod) => this.inject('delete-pod', pod, before, () => this.platform.deletePod(pod), 'deleted')));
  }

  /**
   * SIGKILL; the restart policy brings it straight back, as the kubelet does. Its AOF settings are
   * recorded: what Redis may lose to a crash depends on them (minority-writes.ts, crash windows).
   */
  async crash(pod: string): Promise<void> {
    const [before, persistence] = await Promise.all([this.before(), persistenceOf(this.platform, pod)]);
    await this.inject('crash', pod, before, () => this.platform.crash(pod), 'crashed (SIGKILL, restart policy brings it back)', persistence ? { persistence } : {});
  }

  /** SIGKILL and keep it down until `restart`. */
  async kill(pod: string): Promise<void> {
    await this.inject('kill', pod, await this.before(), () => this.platform.kill(pod), 'killed and held down');
  }

  /** SIGSTOP: the node stalls, alive but silent, until `resume`. */
  async pause(pod: string): Promise<void> {
    await this.inject('pause', pod, await this.before(), () => this.platform.pause(pod), 'paused (SIGSTOP)');
  }

  async resume(pod: string): Promise<void> {
    await this.inject('resume', pod, await snapshot(this.platform), () => this.platform.resume(pod), 'resumed (SIGCONT)');
  }

  /**
   * Every pod deleted, all gone before any comes back, each on a new IP (or, `shuffleIps`, on
   * another pod's previous IP). Recorded once per pod, and the IPs each pod got are logged.
   */
  async fullRestart(options: { shuffleIps?: boolean } = {}): Promise<void> {
    const before = await this.before();
    const pods = before.views.map((v) => v.pod);
    const started = Math.round(this.clock.nowMs());
    const moves = await this.platform.fullRestart(options);
    for (const pod of pods) this.records.push({ ...this.recordOf('full-restart', pod, before), atMs: started, endMs: Math.round(this.clock.nowMs()) });
    this.log(`full restart${options.shuffleIps ? ' with shuffled IPs' : ''}: every pod deleted, all terminated, re-created in order: ${moves.map((m) => `${m.pod} ${m.before} → ${m.after}`).join(', ')}`);
  }

  /**
   * Drops all traffic between the groups' pods, both ways (client and bus ports alike); the app and
   * the harness still reach every pod. Recorded for the pods outside the largest group: the cut-off side.
   */
  async partition(groups: string[][]): Promise<void> {
    const largest = groups.reduce((a, b) => (b.length > a.length ? b : a), [] as string[]);
    const cutOff = groups.filter((g) => g !== largest).flat();
    const before = await this.before();
    const record = cutOff.map((pod) => this.recordOf('partition', pod, before));
    await this.platform.partition(groups);
    const endMs = Math.round(this.clock.nowMs());
    for (const r of record) this.records.push({ ...r, endMs });
    this.log(`network partition: ${groups.map((g) => `{${g.join(', ')}}`).join(' | ')}; the app and the harness still reach every pod`);
  }

  /** `pod` cut off from every other Redis pod. */
  async isolate(pod: string): Promise<void> {
    const others = (await this.platform.pods()).map((p) => p.name).filter((n) => n !== pod);
    await this.partition([[pod], others]);
  }

  /** netem delay on everything `pod` sends to the other Redis pods: one-way, so each round trip gains `ms`. */
  async delay(pod: string, ms: number, jitterMs = 0): Promise<void> {
    await this.inject('delay', pod, await this.before(), () => this.platform.degrade(pod, { delayMs: ms, jitterMs }), `delayed by ${ms} ms ± ${jitterMs} ms towards the other Redis pods`);
  }

  /** netem loss on everything `pod` sends to the other Redis pods. */
  async loss(pod: string, percent: number): Promise<void> {
    await this.inject('loss', pod, await this.before(), () => this.platform.degrade(pod, { lossPercent: percent }), `losing ${percent}% of what it sends to the other Redis pods`);
  }

  /** Undoes every partition, delay and loss; recorded once per pod that had one. */
  async heal(): Promise<void> {
    const open = this.openNetworkFaults();
    if (open.length === 0) return;
    const before = await snapshot(this.platform);
    await this.platform.heal();
    const atMs = Math.round(this.clock.nowMs());
    for (const pod of open) this.records.push({ ...this.recordOf('heal', pod, before), atMs, endMs: atMs });
    this.log(`network healed for ${open.join(', ')}`);
  }

  /** Pods paused and not yet resumed: a scenario that ends early must not leave one frozen for the next. */
  openPauses(): string[] {
    return this.open(['pause']);
  }

  /** Pods with a network fault not yet healed. */
  openNetworkFaults(): string[] {
    return this.open(['partition', 'delay', 'loss']);
  }

  /** Targets of a `starts` fault not yet ended: paired with its ending as the checkers pair them (faultEndMs). */
  private open(starts: readonly FaultKind[]): string[] {
    return [...new Set(this.records.filter((r) => starts.includes(r.kind) && faultEndMs(r, this.records, Infinity) === Infinity).map((r) => r.target))];
  }

  async restart(pod: string): Promise<void> {
    await this.inject('restart', pod, await snapshot(this.platform), () => this.platform.restart(pod), 'restarted after being held down');
  }

  /**
   * Fills the volume Redis writes its AOF to (its `dir`, unless `path` names another mount) until
   * `leaveBytes` remain, with one file the harness owns, until `freeDisk`.
   */
  async fillDisk(pod: string, leaveBytes = 0, path?: string): Promise<void> {
    const mount = path ?? String((await this.platform.redis(pod, ['CONFIG', 'GET', 'dir']) as string[])[1]);
    const record = this.recordOf('fill-disk', pod, await this.before());
    const { freeBytes, filledBytes } = await this.platform.fillDisk(pod, { path: mount, leaveBytes });
    this.records.push({ ...record, endMs: Math.round(this.clock.nowMs()) });
    this.log(`${pod} (${record.role}) volume at ${mount} filled: ${filledBytes} bytes written, ${freeBytes} bytes left free`);
  }

  async freeDisk(pod: string): Promise<void> {
    await this.inject('free-disk', pod, await snapshot(this.platform), () => this.platform.freeDisk(pod), 'volume freed (the fill file removed)');
  }

  /** Pods whose volume was filled and not yet freed. */
  openDiskFills(): string[] {
    return this.open(['fill-disk']);
  }

  /**
   * The node fails: every Redis pod on it dies at once (SIGKILL) and stays down, bound to the node,
   * until `restoreNode`. Recorded once per pod, with what each was.
   */
  async crashNode(node: string): Promise<string[]> {
    // before() asks again where one did not answer: a master recorded as `unknown` leaves the
    // scenario no promotion to wait on (CI, under load).
    const before = await this.before();
    const on = before.views.filter((v) => v.node === node).map((v) => v.pod);
    const records = on.map((pod) => this.recordOf('node-crash', pod, before));
    for (const pod of on) this.crashedNodes.set(pod, node);
    const killed = await this.platform.crashNode(node);
    const endMs = Math.round(this.clock.nowMs());
    for (const r of records) if (killed.includes(r.target)) this.records.push({ ...r, endMs });
    this.log(`node ${node} crashed: ${records.map((r) => `${r.target} (${r.role})`).join(', ') || 'no Redis pod'} stopped with it at once (no shutdown), held down with the node`);
    return killed;
  }

  /** The crashed node returns; its pods start again on it. */
  async restoreNode(node: string): Promise<void> {
    const lost = this.openNodeCrashes().filter((r) => r.node === node).map((r) => r.pod);
    const before = await snapshot(this.platform);
    await this.platform.restoreNode(node);
    const atMs = Math.round(this.clock.nowMs());
    for (const pod of lost) this.records.push({ ...this.recordOf('node-restore', pod, before), atMs, endMs: atMs });
    this.log(`node ${node} is back: ${lost.join(', ') || 'no pod'} starting on it again`);
  }

  /** Pods on a crashed node not yet restored, with their node. */
  openNodeCrashes(): { pod: string; node: string }[] {
    return this.open(['node-crash']).map((pod) => ({ pod, node: this.crashedNodes.get(pod) ?? '' }));
  }

  /**
   * `kubectl drain`: cordon, then evict the node's Redis pods one at a time through the eviction
   * API. An eviction a PodDisruptionBudget refuses is retried every 5 s, as kubectl does, until
   * `timeoutMs`; each evicted pod is re-created wherever the scheduler places it. Uncordoned at
   * the end, whatever happened: the node is back in the pool, as after an upgrade.
   */
  async drain(node: string, { timeoutMs, retryMs = 5000, signal }: { timeoutMs: number; retryMs?: number; signal?: AbortSignal }): Promise<{ evicted: string[]; refused: string | null }> {
    await this.platform.cordon(node);
    this.log(`node ${node} cordoned`);
    const evicted: string[] = [];
    try {
      const pods = (await this.platform.pods()).filter((p) => p.node === node).map((p) => p.name);
      for (const pod of pods) {
        let lastReason = '';
        const startedMs = Math.round(this.clock.nowMs());
        try {
          await waitUntil(`eviction of ${pod} from ${node}`, async (deadline) => {
            const record = this.recordOf('evict', pod, await this.before());
            // As `kubectl drain --timeout`, no eviction starts once the time is up (reading the
            // topology above can take seconds on a starved machine).
            if (deadline.aborted) throw new NotYet(lastReason || 'the drain\'s time ran out');
            const result = await this.platform.evict(pod);
            if (!result.evicted) {
              if (result.reason !== lastReason) this.log(`eviction of ${pod} refused: ${result.reason}${await this.notReady()}; retrying every ${retryMs / 1000} s`);
              lastReason = result.reason;
              throw new NotYet(result.reason);
            }
            evicted.push(pod);
            this.records.push({ ...record, endMs: Math.round(this.clock.nowMs()) });
            this.log(`${pod} (${record.role}) evicted from ${node}`);
          }, { timeoutMs, intervalMs: retryMs, ...(signal ? { signal } : {}) });
        } catch (error) {
          if (signal?.aborted) throw error;
          // An eviction that went through as the time ran out happened: the wait discards an
          // answer that comes after its deadline, but the pod is gone (CI: a master evicted 5 s
          // after the deadline was also recorded as refused, and the drain check failed).
          if (evicted.includes(pod)) continue;
          if (!lastReason) throw error;
          // As `kubectl drain --timeout`: the drain gives up, and what stopped it is evidence, not a harness error.
          this.records.push({ ...this.recordOf('evict-refused', pod, await snapshot(this.platform)), atMs: startedMs, endMs: Math.round(this.clock.nowMs()), reason: lastReason });
          this.log(`drain of ${node} gave up after ${timeoutMs} ms: ${pod} could not be evicted (${lastReason})`);
          return { evicted, refused: pod };
        }
      }
    } finally {
      await this.platform.uncordon(node);
      this.log(`node ${node} uncordoned`);
    }
    return { evicted, refused: null };
  }

  /** `; not ready: a, b` naming the pods a disruption budget counts as unhealthy, or '' (the API's refusal gives only counts). */
  private async notReady(): Promise<string> {
    const pods = await this.platform.pods().catch(() => null);
    const unready = pods?.filter((p) => !p.ready).map((p) => (p.reason ? `${p.name} (${p.reason})` : p.name)) ?? [];
    return unready.length > 0 ? `; not ready: ${unready.join(', ')}` : '';
  }

  /** Every Redis pod on `nodes` cut off from every Redis pod elsewhere (a node or a zone isolated). */
  async isolateNodes(nodes: string[]): Promise<void> {
    const pods = await this.platform.pods();
    const inside = pods.filter((p) => p.node !== null && nodes.includes(p.node)).map((p) => p.name);
    const outside = pods.filter((p) => !inside.includes(p.name)).map((p) => p.name);
    if (inside.length === 0) throw new HarnessError(`no Redis pod is on ${nodes.join(', ')}: nothing to isolate`);
    await this.partition([inside, outside]);
  }

  /**
   * The topology a fault is judged against: what each pod was just before it. One late answer
   * under load must not record a master as `unknown`, nor leave out one of its replicas
   * (promotion and minority checks would then judge the wrong thing), so a pod that did not answer
   * is asked again, twice at most, with a longer bound, unless it is down on purpose (held,
   * paused, or with no IP). Every pod, not only the targets: a record's replicas are read from
   * their own answers (CI: a drain recorded a master without the replica that took over from it).
   */
  private before(): Promise<Topology> {
    return answeredSnapshot(this.platform, { skip: new Set(this.openPauses()) });
  }

  private recordOf(kind: FaultKind, pod: string, before: Topology): FaultRecord {
    return faultRecord(kind, pod, before, this.records, Math.round(this.clock.nowMs()));
  }

  private async inject(kind: FaultKind, pod: string, before: Topology, act: () => Promise<void>, verb: string, extra: Partial<FaultRecord> = {}): Promise<void> {
    const record = { ...this.recordOf(kind, pod, before), ...extra };
    await act();
    record.endMs = Math.round(this.clock.nowMs());
    this.records.push(record);
    const slots = record.slots.length ? ` of slots ${record.slots.map(([a, b]) => `${a}-${b}`).join(',')}` : '';
    this.log(`${pod} (${record.role}${slots}) ${verb}`);
  }
}
