import { expect, inject, test } from 'vitest';
import { HarnessError } from '../errors.ts';
import { loadManifests, resolveSystem } from '../manifests/index.ts';
import { RemotePlatform } from '../session/control.ts';
import type { HarnessContext } from './context.ts';
import { recordStartFailure } from './preconditions.ts';
import { ScenarioRun, type ScenarioEnv, type ScenarioOptions } from './run.ts';

/** A scenario's handle on the run: `chaos.start()` begins it (named after the test). */
export class Chaos {
  private run: ScenarioRun | null = null;

  constructor(
    private readonly env: ScenarioEnv,
    private readonly name: string,
  ) {}

  async start(options: ScenarioOptions = {}): Promise<ScenarioRun> {
    if (this.run) throw new HarnessError(`${this.name} already started`);
    try {
      this.run = await ScenarioRun.start(this.env, this.name, options);
    } catch (error) {
      // A scenario that could not even start (a sick cluster) is an error, and says why in the report.
      await recordStartFailure(this.env, this.name, error);
      throw error;
    }
    return this.run;
  }

  /** A run the test left without a verdict (it threw, or forgot) is recorded as an error, healed. */
  async close(): Promise<void> {
    if (this.run && !this.run.isFinished) await this.run.abort(new Error('the scenario ended before its verdict'));
  }
}

/** vitest's `test` with a `chaos` fixture connected to the session globalSetup started. */
export const chaosTest = test.extend<{ chaos: Chaos }>({
  chaos: async ({ task }, use) => {
    const ctx: HarnessContext = inject('harness');
    if (ctx.error || !ctx.control || !ctx.info || !ctx.appUrl) throw new HarnessError(`the harness could not start: ${ctx.error ?? 'no session'}`);
    const platform = new RemotePlatform(ctx.info, ctx.control);
    const env: ScenarioEnv = {
      platform,
      system: resolveSystem(await loadManifests(ctx.options.manifests)),
      appUrl: ctx.appUrl,
      nodeTimeoutMs: ctx.nodeTimeoutMs,
      seed: ctx.options.seed,
      runDir: ctx.runDir,
      log: (line) => void platform.log(line).catch(() => undefined),
    };
    const chaos = new Chaos(env, task.name);
    try {
      await use(chaos);
    } finally {
      await chaos.close();
    }
  },
});

export { expect };
