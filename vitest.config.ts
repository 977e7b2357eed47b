import { defineConfig } from 'vitest/config';
import ScenarioSequencer from './scenarios/sequencer.ts';

// Two projects: `unit` (harness and app tests; many start real redis-server processes) and
// `scenarios` (the seed's fault scenarios, run by `npm run scenarios` through harness/cli.ts).
export default defineConfig({
  test: {
    // Project-level sequencers are not consulted; this one only reorders scenario files.
    sequence: { sequencer: ScenarioSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['harness/**/*.test.ts', 'app/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // Two cores: more parallel clusters would skew the failover timings the tests assert.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'scenarios',
          include: ['scenarios/**/*.test.ts'],
          globalSetup: ['scenarios/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
