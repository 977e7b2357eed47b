import type { ControlEndpoint } from '../session/control.ts';
import type { HarnessOptions } from '../session/options.ts';
import type { PlatformInfo } from '../platform/types.ts';

/** What globalSetup hands each scenario worker (through vitest's provide/inject). */
export interface HarnessContext {
  options: HarnessOptions;
  runDir: string;
  /** Set when the session could not start: every scenario then fails as an error with it. */
  error: string | null;
  control: ControlEndpoint | null;
  info: PlatformInfo | null;
  appUrl: string | null;
  nodeTimeoutMs: number;
}

declare module 'vitest' {
  interface ProvidedContext {
    harness: HarnessContext;
  }
}
