// The harness' public surface for scenarios: everything in core.ts plus the vitest fixture.
export * from './core.ts';
export { chaosTest, expect } from './scenario/fixture.ts';
