// The scenario workers' harness: harness/index.ts and what it imports (about 75 modules) as one
// esbuild bundle, built as the CLI's own is (bundle.mjs, its own folder of the build cache), which
// vitest then loads as a package: natively, not module by module through vite. Through vite, each
// module was a transform served by the CLI's main thread, busy bringing the cluster up, and a cold
// run's worker took 1.6 s to import the harness, against 0.43-0.45 s from the bundle (measured on
// a 2-core VM where the worker's start was on the run's path by up to 1 s; docs/benchmarks.md).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bundle's path, for vitest.config.ts: set by the CLI for its own vitest. */
export const WORKER_BUNDLE_ENV = 'HARNESS_WORKER_BUNDLE';
const HARNESS_INDEX = fileURLToPath(new URL('../index.ts', import.meta.url));
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/redis-chaos/worker/', import.meta.url));

/**
 * The bundle's path, built if no current build exists; null if it cannot be built (a syntax error,
 * a cache that cannot be written), and the workers then import the sources through vite, which
 * reports a syntax error as it does without the bundle.
 */
export async function buildWorkerBundle(): Promise<string | null> {
  try {
    const { bundledEntry } = await import('./bundle.mjs');
    return fileURLToPath(await bundledEntry({ entry: HARNESS_INDEX, cacheDir: CACHE_DIR }));
  } catch {
    return null;
  }
}

/**
 * A vite plugin for the scenarios' project: a scenario's import of harness/index.ts resolves to
 * `bundle`, which, under node_modules, vitest leaves to Node. Nothing else changes: the scenario
 * files themselves, and any other import, go through vite as before.
 */
export function harnessBundlePlugin(bundle: string) {
  return {
    name: 'redis-chaos:harness-bundle',
    enforce: 'pre' as const,
    resolveId(source: string, importer: string | undefined): string | null {
      return importer && source.startsWith('.') && path.resolve(path.dirname(importer), source) === HARNESS_INDEX ? bundle : null;
    },
  };
}
