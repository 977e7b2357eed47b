// The harness' public surface: scenarios and benchmarks import from here only.
export { HarnessError, ManifestError, PrerequisiteError, WaitTimeoutError } from './errors.ts';
export * from './manifests/index.ts';
export * from './cluster/index.ts';
export type * from './platform/types.ts';
export { LocalPlatform } from './platform/local/local-platform.ts';
export type { LocalPlatformOptions } from './platform/local/local-platform.ts';
export { LoopbackAllocator } from './platform/local/addresses.ts';
export { sweepLocal } from './platform/local/sweeper.ts';
export { NotYet, sleep, waitUntil } from './util/wait.ts';
export { newRunId } from './util/run-id.ts';
