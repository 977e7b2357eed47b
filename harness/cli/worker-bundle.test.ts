import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundledEntry } from './bundle.mjs';
import { harnessBundlePlugin, WORKER_BUNDLE_ENV } from './worker-bundle.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const STACKS = fileURLToPath(new URL('./worker-stacks.mjs', import.meta.url));

describe("the scenario workers' harness bundle", () => {
  it("resolves a scenario's import of harness/index.ts to the bundle, and nothing else", () => {
    const plugin = harnessBundlePlugin('/cache/build-1/index.js');
    const scenario = path.join(root, 'scenarios', 'kill-master.test.ts');
    expect(plugin.resolveId('../harness/index.ts', scenario)).toBe('/cache/build-1/index.js');
    expect(plugin.resolveId('./expectations.ts', scenario)).toBeNull();
    expect(plugin.resolveId('../harness/scenario/fixture.ts', scenario)).toBeNull();
    // The same words from another folder name another file.
    expect(plugin.resolveId('../harness/index.ts', path.join(root, 'scenarios', 'sub', 'x.test.ts'))).toBeNull();
    expect(plugin.resolveId('vitest', scenario)).toBeNull();
    expect(plugin.resolveId('../harness/index.ts', undefined)).toBeNull();
  });

  describe('its stack traces', () => {
    let dir: string;
    let bundle: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'worker-bundle-'));
      await mkdir(path.join(dir, 'src'));
      // The thrower sits on line 3 of its source, column 9; the bundle puts it elsewhere.
      await writeFile(path.join(dir, 'src', 'index.ts'), "import { fail } from './deep.ts';\nexport const run = (): void => fail();\n");
      await writeFile(path.join(dir, 'src', 'deep.ts'), 'type Unused = { a: number };\nexport function fail(): void {\n  throw new Error(`planted`);\n}\n');
      bundle = fileURLToPath(await bundledEntry({ entry: path.join(dir, 'src', 'index.ts'), cacheDir: path.join(dir, 'cache') }));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    // As in a vitest worker: a stack-trace hook of its own installed once the preload has run (vite's
    // maps only what vite served), then the bundle imported natively and a stack taken through it.
    const stackOf = async (env: Record<string, string>, preload: string[]) => {
      const script = [
        'Error.prepareStackTrace = (error, frames) => `${error}\\n` + frames.map((f) => `    at ${f}`).join("\\n");',
        `const { run } = await import(${JSON.stringify(bundle)});`,
        'try { run(); } catch (e) { console.log(e.stack); }',
      ].join('\n');
      const r = await execa(process.execPath, [...preload, '--input-type=module', '-e', script], { env, extendEnv: false, timeout: 30_000 });
      return r.stdout;
    };

    it('name the TypeScript source of each frame in the bundle', async () => {
      const stack = await stackOf({ [WORKER_BUNDLE_ENV]: bundle }, ['--import', STACKS]);
      expect(stack).toContain(`${path.join(dir, 'src', 'deep.ts')}:3:9`);
      expect(stack).toContain(`${path.join(dir, 'src', 'index.ts')}:2:`);
      expect(stack).not.toContain(path.dirname(bundle));
    });

    it("name the bundle's lines without the preload, or without the variable naming the bundle", async () => {
      expect(await stackOf({ [WORKER_BUNDLE_ENV]: bundle }, [])).toContain(`${path.basename(bundle)}:`);
      expect(await stackOf({}, ['--import', STACKS])).toContain(`${path.basename(bundle)}:`);
    });
  });
});
