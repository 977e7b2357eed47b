import { selfEntries, snapshot, type Topology } from '../cluster/index.ts';
import type { FaultKind, FaultRecord } from '../checkers/index.ts';
import type { RunningPlatform } from '../platform/types.ts';
import type { Clock } from '../workload/clock.ts';

/**
 * What can be done to a pod, Jepsen's nemesis for this harness. Every fault is recorded with what
 * its target was just before (role, node id, slots, replicas), which the checkers judge against.
 */
export class FaultInjector {
  readonly records: FaultRecord[] = [];

  constructor(
    private readonly platform: RunningPlatform,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  /** Like `kubectl delete pod`: graceful stop, then the StatefulSet re-creates it under a new IP. */
  async deletePod(...pods: string[]): Promise<void> {
    const before = await snapshot(this.platform);
    // Several pods are deleted "at once", as the walkthrough did: the calls run concurrently.
    await Promise.all(pods.map((pod) => this.inject('delete-pod', pod, before, () => this.platform.deletePod(pod), 'deleted')));
  }

  /** SIGKILL; the restart policy brings it straight back, as the kubelet does. */
  async crash(pod: string): Promise<void> {
    await this.inject('crash', pod, await snapshot(this.platform), () => this.platform.crash(pod), 'crashed (SIGKILL, restart policy brings it back)');
  }

  /** SIGKILL and keep it down until `restart`. */
  async kill(pod: string): Promise<void> {
    await this.inject('kill', pod, await snapshot(this.platform), () => this.platform.kill(pod), 'killed and held down');
  }

  /** SIGSTOP: the node stalls, alive but silent, until `resume`. */
  async pause(pod: string): Promise<void> {
    await this.inject('pause', pod, await snapshot(this.platform), () => this.platform.pause(pod), 'paused (SIGSTOP)');
  }

  async resume(pod: string): Promise<void> {
    await this.inject('resume', pod, await snapshot(this.platform), () => this.platform.resume(pod), 'resumed (SIGCONT)');
  }

  /**
   * Every pod deleted, all gone before any comes back, each on a new IP (or, `shuffleIps`, on
   * another pod's previous IP). Recorded once per pod, and the IPs each pod got are logged.
   */
  async fullRestart(options: { shuffleIps?: boolean } = {}): Promise<void> {
    const before = await snapshot(this.platform);
    const pods = before.views.map((v) => v.pod);
    const started = Math.round(this.clock.nowMs());
    const moves = await this.platform.fullRestart(options);
    for (const pod of pods) this.records.push({ ...this.recordOf('full-restart', pod, before), atMs: started, endMs: Math.round(this.clock.nowMs()) });
    this.log(`full restart${options.shuffleIps ? ' with shuffled IPs' : ''}: every pod deleted, all terminated, re-created in order: ${moves.map((m) => `${m.pod} ${m.before} → ${m.after}`).join(', ')}`);
  }

  async restart(pod: string): Promise<void> {
    await this.inject('restart', pod, await snapshot(this.platform), () => this.platform.restart(pod), 'restarted after being held down');
  }

  private recordOf(kind: FaultKind, pod: string, before: Topology): FaultRecord {
    const self = selfEntries(before).find((e) => e.view.pod === pod)?.self;
    // A held-down or paused pod answers nothing; what it was is what it was when the fault began.
    const earlier = [...this.records].reverse().find((r) => r.target === pod);
    return {
      kind, target: pod,
      role: self ? self.role : (kind === 'restart' || kind === 'resume') && earlier ? earlier.role : 'unknown',
      atMs: Math.round(this.clock.nowMs()),
      nodeId: self?.id ?? null,
      slots: self?.role === 'master' ? self.slots : [],
      replicaIds: self ? selfEntries(before).filter((e) => e.self.masterId === self.id).map((e) => e.self.id) : [],
    };
  }

  private async inject(kind: FaultKind, pod: string, before: Topology, act: () => Promise<void>, verb: string): Promise<void> {
    const record = this.recordOf(kind, pod, before);
    await act();
    record.endMs = Math.round(this.clock.nowMs());
    this.records.push(record);
    const slots = record.slots.length ? ` of slots ${record.slots.map(([a, b]) => `${a}-${b}`).join(',')}` : '';
    this.log(`${pod} (${record.role}${slots}) ${verb}`);
  }
}
