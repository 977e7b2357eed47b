import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { harnessBundlePlugin, WORKER_BUNDLE_ENV } from './harness/cli/worker-bundle.ts';
import ScenarioSequencer from './scenarios/sequencer.ts';

const PARALLEL = Math.max(1, Number(process.env.HARNESS_PARALLEL) || 1);
// Set by `npm run scenarios` (harness/cli.ts): the workers load the harness from its bundle.
const WORKER_BUNDLE = process.env[WORKER_BUNDLE_ENV];

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
          include: ['harness/**/*.test.ts', 'app/**/*.test.ts', 'test/unit/**/*.test.ts'],
          globalSetup: ['test/temp-dir.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // Two cores: more parallel clusters would skew the failover timings the tests assert.
          maxWorkers: 2,
        },
      },
      {
        test: {
          // `npm run test:k8s`: the Kubernetes platform on the project's own real node
          // (scripts/k8s-node), brought up for the run and down after it. One file at a time:
          // each already runs two clusters at once on the node.
          name: 'k8s',
          include: ['test/k8s/**/*.test.ts'],
          globalSetup: ['test/temp-dir.ts', 'test/k8s/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 30 * 60_000,
          hookTimeout: 45 * 60_000,
        },
      },
      {
        plugins: WORKER_BUNDLE ? [harnessBundlePlugin(WORKER_BUNDLE)] : [],
        test: {
          name: 'scenarios',
          include: ['scenarios/**/*.test.ts'],
          globalSetup: ['scenarios/global-setup.ts'],
          // Each worker outlives a terminal's Ctrl-C from its first instant (see the file).
          // With the CLI's harness bundle, its frames in stack traces name the sources (see the file).
          execArgv: ['--import', fileURLToPath(new URL('./scenarios/worker-signals.mjs', import.meta.url)),
            ...(WORKER_BUNDLE ? ['--import', fileURLToPath(new URL('./harness/cli/worker-stacks.mjs', import.meta.url))] : [])],
          // --parallel N (harness/cli.ts sets HARNESS_PARALLEL): N scenario files at once, each
          // leasing a cluster of its own; 1 keeps the walkthrough's sequence on one cluster.
          fileParallelism: PARALLEL > 1,
          maxWorkers: PARALLEL,
          // The first scenario's time includes waiting for the shared session to start (global-setup
          // does not await it, so vitest boots meanwhile): on kind that is the cluster's creation.
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
