// The harness' public surface for scenarios: the vitest fixture, and the types a scenario and its
// spec are written against. Benchmarks, the CLI and globalSetup use core.ts.
export { chaosTest, expect } from './scenario/fixture.ts';
export type { Chaos } from './scenario/fixture.ts';
export type { ScenarioRun, ScenarioOptions, Verdict } from './scenario/run.ts';
export type { ScenarioSpec, StatedExpectation } from './scenario/spec.ts';
export type { CheckName, Expectations } from './checkers/index.ts';
