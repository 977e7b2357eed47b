import { expect, inject, test } from 'vitest';
import { errorMessage, HarnessError, InterruptedError } from '../errors.ts';
import { loadSystem } from '../manifests/index.ts';
import { ControlClient, RemotePlatform } from '../session/control.ts';
import type { HarnessContext, ScenarioEnv } from './context.ts';
import { recordStartFailure } from './preconditions.ts';
import { ScenarioRun, type ScenarioOptions } from './run.ts';
import type { ScenarioSpec } from './spec.ts';
import { readPlan } from '../explore/plan.ts';

/** A scenario's handle on the run: `chaos.start()` begins it (named after the test). */
export class Chaos {
  private run: ScenarioRun | null = null;

  constructor(
    private readonly env: ScenarioEnv,
    private readonly name: string,
  ) {}

  /**
   * Begins the scenario with its spec (scenarios/expectations.ts): its expectations arm the checks,
   * and its promises are judged in the result. The spec must be this test's own.
   */
  async start(spec: ScenarioSpec, options: Omit<ScenarioOptions, 'expect' | 'promises'> = {}): Promise<ScenarioRun> {
    if (this.run) throw new HarnessError(`${this.name} already started`);
    if (spec.name !== this.name) throw new HarnessError(`${this.name} started with the spec of ${spec.name}`);
    try {
      this.run = await ScenarioRun.start(this.env, this.name, { ...options, expect: { ...spec.expect }, promises: spec.promises });
    } catch (error) {
      // A scenario that could not even start (a sick cluster) is an error, and says why in the report.
      await recordStartFailure(this.env, this.name, error);
      throw error;
    }
    return this.run;
  }

  /**
   * A run the test left without a verdict (it threw, or forgot) is recorded as an error, healed.
   * `thrown` is what the test threw, as vitest recorded it: the record says it (a phase's own error
   * is recorded by the phase).
   */
  async close(thrown?: { message?: unknown }): Promise<void> {
    const why = typeof thrown?.message === 'string' ? `: ${thrown.message.split('\n')[0]}` : '';
    if (this.run && !this.run.isFinished) await this.run.abort(new Error(`the scenario ended before its verdict${why}`));
  }
}

/**
 * vitest's `test` with a `chaos` fixture: it leases the scenario's session from the process that
 * owns the platforms (the shared cluster, or with --parallel a fresh one), and gives it back after.
 * The test's own signal is aborted when the run is interrupted, and the scenario then records
 * what it has (see ScenarioRun.abort).
 */
export const chaosTest = test.extend<{ chaos: Chaos }>({
  chaos: async ({ task, signal }, use) => {
    const ctx: HarnessContext = inject('harness');
    const base = { runDir: ctx.runDir, seed: ctx.options.seed, signal };
    if (ctx.error || !ctx.control) {
      const error = new (ctx.interrupted ? InterruptedError : HarnessError)(`the harness could not start: ${ctx.error ?? 'no session'}`);
      await recordStartFailure(base, task.name, error);
      throw error;
    }
    const client = new ControlClient(ctx.control);
    // Read while the lease is awaited (the session may still be starting), not after it; an error
    // is thrown once leased, as before, so that the lease is released.
    const system = loadSystem(ctx.options.manifests, ctx.options);
    system.catch(() => undefined);
    const lease = await client.acquire(task.name, signal).catch(async (error: unknown) => {
      await recordStartFailure(base, task.name, error instanceof InterruptedError ? error : new HarnessError(`its session could not start: ${errorMessage(error)}`));
      throw error;
    });
    try {
      const platform = new RemotePlatform(lease.info, client, lease.id);
      const env: ScenarioEnv = {
        ...base,
        platform,
        system: await system,
        appUrl: lease.appUrl,
        nodeTimeoutMs: lease.nodeTimeoutMs,
        setup: lease.id === 'shared' ? null : lease.timings,
        ratePerSec: ctx.options.rate,
        ...(ctx.options.workload ? { workload: ctx.options.workload } : {}),
        keys: ctx.options.keys ?? null,
        plan: ctx.options.schedule ? readPlan(ctx.options.schedule) : null,
        log: (line) => void client.log(line).catch(() => undefined),
      };
      const chaos = new Chaos(env, task.name);
      try {
        await use(chaos);
      } finally {
        // vitest has recorded the test's error by now: fixtures are torn down after it.
        await chaos.close(task.result?.errors?.[0]);
      }
    } finally {
      await client.release(lease.id);
    }
  },
});

export { expect };
