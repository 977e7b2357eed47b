// `npm run scenarios`' entry: the harness's CLI (cli.ts), from a bundle when one can be built,
// which loads vitest's modules itself once the run's pods are up (cli.ts, podsFirst). Without a
// bundle (HARNESS_BUNDLE=0, or a build cache that cannot be written), tsx runs cli.ts, and vitest's
// modules are loaded here first, before tsx is registered: under `node --import tsx`, every module
// the process loads takes a round trip to tsx's loader thread, and vitest/node took 1.3 s of this
// process's main thread that way against 0.3 s before tsx (measured). vitest's workers are
// unaffected: they never had tsx (vitest passes them no loader flags) and load the scenarios
// through vite. The bundle (cli/bundle.mjs) spares the CLI's own modules tsx as well.
// Plain JavaScript, since it runs before any TypeScript loader.
import { fileURLToPath } from 'node:url';

const entry = process.env.HARNESS_BUNDLE === '0' ? undefined : await bundled();
if (entry) {
  // Stack traces (an internal error's report) name the TypeScript sources, not the bundle's lines.
  process.setSourceMapsEnabled(true);
  await import(entry);
} else {
  // tsx would keep its transforms in $TMPDIR/tsx-<uid>, outside the build cache the harness names.
  process.env.TSX_DISABLE_CACHE ??= '1';
  await import('vitest/node');
  await import('tsx');
  await import('./cli.ts');
}

async function bundled() {
  const { bundledEntry } = await import('./cli/bundle.mjs');
  try {
    return await bundledEntry({
      entry: fileURLToPath(new URL('./cli.ts', import.meta.url)),
      cacheDir: fileURLToPath(new URL('../node_modules/.cache/redis-chaos/cli/', import.meta.url)),
    });
  } catch {
    // A build that fails (a syntax error in a source) is reported by tsx's run of the same file.
    return undefined;
  }
}
