import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { RestartPolicy } from '../../manifests/types.ts';
import { signalGroup } from '../../util/process-group.ts';

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
  /** The readiness probe's last result, kept for its period; cleared at every start. */
  probeCache: { atMs: number; ready: boolean } | undefined;
  private child: ChildProcess | null = null;
  private startedAt = 0;
  private crashesSinceReset = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private held = false;
  private heldAt = 0;
  private stopped = false;
  private exitWaiters: (() => void)[] = [];

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

  start(): void {
    if (this.stopped || this.child) return;
    const log = openSync(this.spec.logFile, 'a');
    writeSync(log, `=== redis-chaos: container ${this.spec.name} starting (restart ${this.restarts}) at ${new Date().toISOString()}\n`);
    const [file, ...args] = this.spec.argv;
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
    for (const resolve of this.exitWaiters.splice(0)) resolve();
    if (this.stopped || this.held) return;
    const failed = child.exitCode !== 0;
    if (this.spec.restartPolicy === 'Never' || (this.spec.restartPolicy === 'OnFailure' && !failed)) return;
    this.restartAfterBackoff();
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
    if (!this.child) return;
    this.signal('SIGTERM');
    if (!(await this.waitForExit(graceMs))) {
      this.signal('SIGKILL');
      await this.waitForExit(10_000);
    }
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
