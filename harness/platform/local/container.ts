import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { formatBytes } from '../../manifests/quantity.ts';
import type { RestartPolicy } from '../../manifests/types.ts';
import { errorMessage } from '../../errors.ts';
import { signalGroup } from '../../util/process-group.ts';
import type { CgroupLimits, ContainerCgroup, RunCgroups } from './cgroups.ts';
import type { ProbeState } from './readiness.ts';

/** The kubelet's CrashLoopBackOff, configurable so tests need not wait 10 s. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
}

export const KUBELET_BACKOFF: Backoff = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

export interface ContainerSpec {
  name: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  restartPolicy: RestartPolicy;
  backoff: Backoff;
  /** Memory and CPU limits: each start runs in a cgroup of its own, `<cgroupName>-<n>`. */
  cgroup?: { cgroups: RunCgroups; name: string; limits: CgroupLimits };
}

/** How a container's process last ended, as the kubelet reports `lastState.terminated`. */
export interface Termination {
  /** `OOMKilled`: SIGKILLed by the kernel's OOM killer (not by the harness); `Error`: any other failure. */
  reason: 'OOMKilled' | 'Error' | 'Completed';
  /** 128 + the signal's number for a killed process, as a container runtime reports it (OOM: 137). */
  exitCode: number;
  atMs: number;
}

export type ContainerState = 'waiting' | 'running' | 'terminated';

/**
 * One container of one pod incarnation, run as a real process in its own process group, so that
 * a signal reaches everything it started and nothing else. Restarts follow the restart policy
 * with the kubelet's delays: the first at once, then 10 s doubling to 5 min, reset after 10 min up.
 */
export class LocalContainer {
  state: ContainerState = 'waiting';
  restarts = 0;
  /** The readiness probe's state (its Ready, last result and run of them), the result kept for its period; cleared at every start. */
  probeCache: ProbeState | undefined;
  private child: ChildProcess | null = null;
  private startedAt = 0;
  private crashesSinceReset = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private held = false;
  private heldAt = 0;
  private stopped = false;
  private exitWaiters: (() => void)[] = [];
  private cgroup: ContainerCgroup | null = null;
  /** The harness itself sent the current process a kill: its SIGKILL is not the OOM killer's. */
  private killSent = false;
  /** OOM kills in the cgroups of earlier starts: the kernel counts per cgroup, and each start has its own. */
  private earlierOomKills = 0;
  private readonly cgroupRemovals = new Set<Promise<void>>();
  lastTermination: Termination | null = null;

  constructor(readonly spec: ContainerSpec) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }
  /** When the current process started (0 before the first start): liveness counts from it. */
  get startedAtMs(): number {
    return this.child ? this.startedAt : 0;
  }
  get isHeld(): boolean {
    return this.held;
  }

  /**
   * While held: when the held process had started, 0 otherwise. The kubelet keeps probing a frozen
   * container on its original schedule (initial delay from its start, failures counted on).
   */
  get heldStartedAtMs(): number {
    return this.held ? this.heldAt : 0;
  }

  /** OOM kills in this container's cgroups so far, its main process or any other (a fork's child). */
  get oomKills(): number {
    return this.earlierOomKills + (this.cgroup?.oomKills() ?? 0);
  }

  start(): void {
    if (this.stopped || this.child) return;
    let argv = this.spec.argv;
    if (this.spec.cgroup) {
      const { cgroups, name, limits } = this.spec.cgroup;
      try {
        this.cgroup = cgroups.create(name, limits);
        argv = this.cgroup.wrap(argv);
      } catch (error) {
        // As a runtime that cannot create the container's cgroup: a failed start, retried with back-off.
        appendFileSync(this.spec.logFile, `=== redis-chaos: container ${this.spec.name} could not start: its cgroup could not be created: ${errorMessage(error)}\n`);
        this.restartAfterBackoff();
        return;
      }
    }
    this.killSent = false;
    const log = openSync(this.spec.logFile, 'a');
    writeSync(log, `=== redis-chaos: container ${this.spec.name} starting (restart ${this.restarts}) at ${new Date().toISOString()}${this.cgroup ? ` in cgroup ${this.cgroup.name}` : ''}\n`);
    const [file, ...args] = argv;
    const child = spawn(file!, args, {
      cwd: this.spec.cwd,
      env: this.spec.env,
      detached: true, // its own process group: signals go to the container, not to the harness
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    this.probeCache = undefined;
    this.state = 'running';
    this.startedAt = Date.now();
    child.once('error', (error) => {
      // e.g. EACCES for a script without the execute bit: Kubernetes reports a failed start the same way.
      const fd = openSync(this.spec.logFile, 'a');
      writeSync(fd, `=== redis-chaos: could not start ${file}: ${error.message}\n`);
      closeSync(fd);
    });
    child.once('close', () => this.onExit(child));
  }

  private onExit(child: ChildProcess): void {
    if (this.child !== child) return;
    this.child = null;
    this.state = 'terminated';
    this.recordTermination(child);
    for (const resolve of this.exitWaiters.splice(0)) resolve();
    if (this.stopped || this.held) return;
    const failed = child.exitCode !== 0;
    if (this.spec.restartPolicy === 'Never' || (this.spec.restartPolicy === 'OnFailure' && !failed)) return;
    this.restartAfterBackoff();
  }

  /**
   * What the kubelet records of an exit, and a line in the log saying it. The kernel counts an OOM
   * kill before it sends the SIGKILL, so the count is final when the exit is seen.
   */
  private recordTermination(child: ChildProcess): void {
    const cg = this.cgroup;
    this.cgroup = null;
    const ooms = cg?.oomKills() ?? 0;
    this.earlierOomKills += ooms;
    const signal = child.signalCode;
    const exitCode = child.exitCode ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
    const oomKilled = signal === 'SIGKILL' && ooms > 0 && !this.killSent;
    const reason = oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
    this.lastTermination = { reason, exitCode, atMs: Date.now() };
    const limit = cg?.limits.memoryBytes;
    const why = oomKilled ? `: the kernel's OOM killer${limit ? ` (memory limit ${formatBytes(limit)})` : ''}`
      : ooms > 0 ? `; the kernel's OOM killer killed ${ooms} process${ooms > 1 ? 'es' : ''} of it before` : '';
    appendFileSync(this.spec.logFile, `=== redis-chaos: container ${this.spec.name} terminated: ${reason} (exit code ${exitCode}${signal ? `, ${signal}` : ''})${why} at ${new Date().toISOString()}\n`);
    if (cg) {
      // Whatever the main process left in it (a fork's child) goes with it, as the runtime's does.
      const removal = cg.remove().catch((error: unknown) => appendFileSync(this.spec.logFile, `=== redis-chaos: cgroup ${cg.name} not removed: ${errorMessage(error)}\n`));
      this.cgroupRemovals.add(removal);
      void removal.finally(() => this.cgroupRemovals.delete(removal));
    }
  }

  /** The kubelet's crash back-off: at once after the first crash, then initial, doubling to the cap. */
  private restartAfterBackoff(): void {
    if (Date.now() - this.startedAt >= this.spec.backoff.resetAfterMs) this.crashesSinceReset = 0;
    const n = this.crashesSinceReset++;
    const delay = n === 0 ? 0 : Math.min(this.spec.backoff.maxMs, this.spec.backoff.initialMs * 2 ** (n - 1));
    this.state = 'waiting';
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restarts++;
      this.start();
    }, delay);
  }

  signal(signal: NodeJS.Signals): void {
    if (signal === 'SIGKILL' || signal === 'SIGTERM') this.killSent = true;
    signalGroup(this.child?.pid, signal);
  }

  /** Resolves when the current process (if any) has exited, or after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<boolean> {
    if (!this.child) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.exitWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** SIGSTOP the process group: it stays, frozen, until `resume()`. */
  pause(): void {
    this.signal('SIGSTOP');
  }

  resume(): void {
    this.signal('SIGCONT');
  }

  /** SIGKILL and stay down until `release()`. */
  async hold(): Promise<void> {
    this.held = true;
    this.heldAt = this.startedAt;
    this.cancelRestart();
    this.signal('SIGKILL');
    await this.waitForExit(10_000);
  }

  /**
   * Brings a held container back as the kubelet brings back a killed one: the kill counts as a
   * crash in the restart back-off (at once the first time, then initial, doubling, for the same
   * container until it has run `resetAfterMs`). On Kubernetes a hold is a SIGSTOP and the restart
   * the SIGKILL the kubelet then sees as a crash; both platforms now count it the same way.
   */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.restartAfterBackoff();
  }

  /** Final stop: SIGTERM, up to `graceMs`, then SIGKILL. No restart follows. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.cancelRestart();
    if (!this.child) return void (await Promise.all(this.cgroupRemovals));
    this.signal('SIGTERM');
    if (!(await this.waitForExit(graceMs))) {
      this.signal('SIGKILL');
      await this.waitForExit(10_000);
    }
    await Promise.all(this.cgroupRemovals);
  }

  /** For process 'exit' handlers, where nothing asynchronous runs. */
  killNow(): void {
    this.stopped = true;
    this.cancelRestart();
    this.signal('SIGKILL');
  }

  private cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }
}
