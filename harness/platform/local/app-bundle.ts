import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError, errorMessage } from '../../errors.ts';
import type { LocalRun } from './run-state.ts';

const MAIN = fileURLToPath(new URL('../../../app/hit-counter/main.ts', import.meta.url));
const DNS_SHIM = fileURLToPath(new URL('./dns-shim.ts', import.meta.url));

/**
 * The hit counter's image on the local platform: the app (app/hit-counter) with its dependencies
 * and the DNS shim first (it must patch dns.lookup before ioredis captures it), bundled by esbuild
 * into one CommonJS file in `dir`, once per run. Node starts it in about 0.3 s where `node --import
 * tsx` took 0.8 s: tsx loads and transforms at every start, and a sandbox's empty /tmp holds no
 * cache. That start is on a cold run's path, and five of them share 2 cores when five runs start
 * together. The code is the app's own, untouched (not minified); the bundle's folder is all its pod
 * mounts of the host.
 */
export async function bundleApp(dir: string): Promise<string> {
  const outfile = path.join(dir, 'hit-counter.cjs');
  try {
    await mkdir(dir, { recursive: true });
    // Loaded here, not at the top: esbuild takes ~45 ms to import, and this module is in the CLI's
    // start-up path, which builds nothing until the platform is coming up.
    const { build } = await import('esbuild');
    await build({
      stdin: { contents: `import ${JSON.stringify(DNS_SHIM)};\nimport ${JSON.stringify(MAIN)};\n`, resolveDir: path.dirname(MAIN), loader: 'ts', sourcefile: 'hit-counter-image.ts' },
      bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'silent', legalComments: 'none',
    });
  } catch (error) {
    throw new HarnessError(`could not build the hit counter's image (esbuild): ${errorMessage(error).split('\n')[0]}`);
  }
  return outfile;
}

/** The run's build of the hit counter's image: begun once (LocalRunning.buildAppImage, or the deploy), then shared. */
export function appImage(run: LocalRun): Promise<string> {
  run.appImage ??= bundleApp(run.runDir.appDir);
  return run.appImage;
}
