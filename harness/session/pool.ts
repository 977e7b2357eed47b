import path from 'node:path';
import { errorMessage, HarnessError, InterruptedError } from '../errors.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { onInterrupt } from '../util/terminate.ts';
import type { Lease, LeaseProvider } from './control.ts';
import { runDirOf, type HarnessOptions } from './options.ts';
import { startSession, type Session } from './session.ts';

/**
 * Where scenarios get their cluster. `shared` (--parallel 1): one session for the whole run, the
 * walkthrough's sequence on one cluster, started up front. `fresh` (--parallel N): every scenario
 * gets a session of its own, with its own platform run id, address range, app and artifacts,
 * started when its worker asks and taken down when it is done.
 *
 * The pool lives in the CLI's process, so every platform has one owner that tears it down, on
 * Ctrl-C too; the first signal aborts any session still starting.
 */
export class SessionPool implements LeaseProvider {
  private shared: Promise<Session> | null = null;
  private readonly fresh = new Map<string, Promise<Session>>();
  /** Fresh sessions started ahead of their scenario's worker, not yet claimed by it. */
  private readonly prestarted = new Set<string>();
  private readonly started = new Map<string, Session>();
  /** One per session started: settles when its pods are up, or its start has failed. */
  private readonly platformsStarting: Promise<void>[] = [];
  private readonly stopper = new AbortController();
  private readonly unsubscribe: () => void;
  private closed = false;
  /** The first session that started: what the summary says of the platform and the Redis image. */
  first: Session | null = null;

  constructor(
    private readonly options: HarnessOptions,
    readonly mode: 'shared' | 'fresh',
    private readonly log: (scope: string, line: string) => void,
  ) {
    this.unsubscribe = onInterrupt((signal) => this.stopper.abort(new InterruptedError(`interrupted by ${signal}`)));
  }

  /** Shared mode: the one session, started now so that its setup comes first in the log. */
  startShared(): Promise<Session> {
    this.shared ??= this.start('shared', (up) => startSession(this.options, (m) => this.log('setup', m), { signal: this.stopper.signal, onPlatformUp: up }));
    return this.shared;
  }

  /** Set once Ctrl-C or SIGTERM has aborted the sessions still starting. */
  get interrupted(): InterruptedError | null {
    const reason: unknown = this.stopper.signal.reason;
    return reason instanceof InterruptedError ? reason : null;
  }

  async acquire(scenario: string): Promise<Lease> {
    try {
      return await this.lease(scenario);
    } catch (error) {
      // The session was aborted by Ctrl-C (or is starting after it): the scenario was interrupted,
      // though the signal may reach its worker only after this answer does.
      if (this.interrupted) throw new InterruptedError(`${this.interrupted.message} before its session started`);
      throw error;
    }
  }

  /**
   * Fresh mode: sessions for the scenarios that run first (as many as run at once), started now;
   * the CLI starts vitest once their pods are up (platformsUp), and each worker's acquire() takes
   * its own.
   */
  prestart(scenarios: string[]): void {
    for (const scenario of scenarios) {
      if (this.mode !== 'fresh' || this.fresh.has(scenario)) continue;
      this.startFresh(scenario).catch(() => undefined); // its worker's acquire() reports the failure
      this.prestarted.add(scenario);
    }
  }

  private async lease(scenario: string): Promise<Lease> {
    if (this.closed) throw new HarnessError('the run is ending; no new session');
    if (this.mode === 'shared') return leaseOf('shared', await this.startShared());
    if (this.prestarted.delete(scenario)) return leaseOf(scenario, await this.fresh.get(scenario)!);
    if (this.fresh.has(scenario)) throw new HarnessError(`${scenario} already has a session`);
    return leaseOf(scenario, await this.startFresh(scenario));
  }

  private startFresh(scenario: string): Promise<Session> {
    const scope = {
      platformRunId: `${this.options.runId}-${scenario}`,
      artifactsDir: path.join(runDirOf(this.options), 'scenarios', scenario, 'platform'),
    };
    const starting = this.start(scenario, (up) => startSession(this.options, (m) => this.log(`${scenario}: setup`, m), { signal: this.stopper.signal, scope, onPlatformUp: up }));
    this.fresh.set(scenario, starting);
    return starting;
  }

  platform(id: string): RunningPlatform {
    const session = this.started.get(id);
    if (!session) throw new HarnessError(`no session ${id}`);
    return session.platform;
  }

  async release(id: string): Promise<void> {
    if (this.mode === 'shared') return;
    const session = this.started.get(id);
    this.started.delete(id);
    this.fresh.delete(id);
    await session?.down();
  }

  /** Every session down, newest first, past errors; sessions still starting are aborted first. */
  async close(): Promise<string[]> {
    this.closed = true;
    this.unsubscribe();
    this.stopper.abort(new HarnessError('the run is ending'));
    const errors: string[] = [];
    const all = [...(this.shared ? [this.shared] : []), ...this.fresh.values()].reverse();
    for (const starting of all) {
      const session = await starting.catch(() => null); // a failed start took itself down
      await session?.down().catch((e: unknown) => errors.push(errorMessage(e)));
    }
    this.started.clear();
    return errors;
  }

  /** Settles once every session started so far has its pods up (or has failed to start). */
  platformsUp(): Promise<void> {
    return Promise.all(this.platformsStarting).then(() => undefined);
  }

  private start(id: string, starting: (onPlatformUp: () => void) => Promise<Session>): Promise<Session> {
    let platformUp = () => undefined as void;
    this.platformsStarting.push(new Promise<void>((resolve) => (platformUp = resolve)));
    return starting(platformUp).then((session) => {
      this.started.set(id, session);
      this.first ??= session;
      return session;
    }, (error: unknown) => {
      platformUp();
      throw error;
    });
  }
}

const leaseOf = (id: string, s: Session): Lease => ({ id, info: s.platform.info, appUrl: s.app.url, nodeTimeoutMs: s.nodeTimeoutMs, timings: s.timings });
