import type { Plan } from '../explore/plan.ts';
import type { SystemUnderTest } from '../manifests/index.ts';
import type { RunningPlatform } from '../platform/types.ts';
import type { ControlEndpoint } from '../session/control.ts';
import type { HarnessOptions } from '../session/options.ts';
import type { Workload } from '../workload/history.ts';

/** What globalSetup hands each scenario worker (through vitest's provide/inject). */
export interface HarnessContext {
  options: HarnessOptions;
  runDir: string;
  /** Set when the shared session could not start: every scenario then fails as an error with it. */
  error: string | null;
  /** The shared session could not start because the run was interrupted: its scenarios are interrupted, not errors. */
  interrupted?: boolean;
  control: ControlEndpoint | null;
}

/** What a scenario needs of its session, wherever it runs (in a vitest worker, via the control bridge). */
export interface ScenarioEnv {
  platform: RunningPlatform;
  system: SystemUnderTest;
  appUrl: string;
  nodeTimeoutMs: number;
  seed: number;
  runDir: string;
  log(line: string): void;
  /** Aborted when the run is interrupted (Ctrl-C, SIGTERM): the scenario records what it has and stops. */
  signal?: AbortSignal;
  /** The workload's cap in operations per second for this scenario; null: as fast as the app answers. */
  ratePerSec?: number | null;
  /** --workload: which load drives the cluster; absent: both where the rate allows (workload/choose.ts). */
  workload?: Workload;
  /** --keys: how many counter keys to load; absent or null: the default choice (cluster/keys.ts). */
  keys?: number | null;
  /** The fault schedule to play (--schedule FILE); absent, a scenario that plays one draws it from the seed. */
  plan?: Plan | null;
  /** This scenario's own session setup, when it had one (--parallel). */
  setup?: Record<string, number> | null;
}

declare module 'vitest' {
  interface ProvidedContext {
    harness: HarnessContext;
  }
}
