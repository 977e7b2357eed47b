import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundledEntry as build } from './bundle.mjs';

// What a module of the bundle exports, read by a plain node process (the CLI's own situation: no
// loader, no vite).
async function load(url: string): Promise<Record<string, unknown>> {
  const r = await execa(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(url)}); console.log(JSON.stringify({ ...m, late: await m.late() }))`], { timeout: 30_000 });
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('the CLI bundle', () => {
  let dir: string;
  let cacheDir: string;
  let entry: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cli-bundle-'));
    cacheDir = path.join(dir, 'cache');
    entry = path.join(dir, 'src', 'main.ts');
    await execa('mkdir', ['-p', path.join(dir, 'src', 'sub')]);
    await writeFile(entry, [
      "import { where, dirname } from './sub/b.ts';",
      'export const value: string = `one`;',
      'export { where, dirname };',
      "export const late = async () => (await import('./sub/lazy.ts')).lazy;",
    ].join('\n'));
    await writeFile(path.join(dir, 'src', 'sub', 'b.ts'), 'export const where = import.meta.url;\nexport const dirname = import.meta.dirname;\n');
    await writeFile(path.join(dir, 'src', 'sub', 'lazy.ts'), "export const lazy = 'LAZY-MARKER';\n");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('runs the sources with their own import.meta, and a dynamic import stays a chunk of its own', async () => {
    const url = await build({ entry, cacheDir });
    expect(await load(url)).toEqual({
      value: 'one', late: 'LAZY-MARKER',
      where: pathToFileURL(path.join(dir, 'src', 'sub', 'b.ts')).href, dirname: path.join(dir, 'src', 'sub'),
    });
    // Lazy: the entry's file does not hold the dynamically imported module's code.
    expect(await readFile(fileURLToPath(url), 'utf8')).not.toContain('LAZY-MARKER');
  });

  it('is built once, rebuilt when a source changes, and a source changed back finds its old build', async () => {
    const first = await build({ entry, cacheDir });
    expect(await build({ entry, cacheDir })).toBe(first);
    const lazy = path.join(dir, 'src', 'sub', 'lazy.ts');
    await writeFile(lazy, "export const lazy = 'CHANGED';\n");
    const second = await build({ entry, cacheDir });
    expect(second).not.toBe(first);
    expect((await load(second)).late).toBe('CHANGED');
    await writeFile(lazy, "export const lazy = 'LAZY-MARKER';\n");
    expect(await build({ entry, cacheDir })).toBe(first);
  });

  it('concurrent starts agree on one build and leave no staging behind', async () => {
    const urls = await Promise.all([1, 2, 3].map(() => build({ entry, cacheDir })));
    expect(new Set(urls).size).toBe(1);
    expect((await readdir(cacheDir)).filter((n) => n.startsWith('.staging-'))).toEqual([]);
  });

  it('a build unused for a day goes when another is made; one used since stays', async () => {
    const lazy = path.join(dir, 'src', 'sub', 'lazy.ts');
    const version = async (v: string) => {
      await writeFile(lazy, `export const lazy = '${v}';\n`);
      return path.dirname(fileURLToPath(await build({ entry, cacheDir })));
    };
    const [one, two] = [await version('one'), await version('two')];
    const dayAgo = new Date(Date.now() - 25 * 3600_000);
    await utimes(one, dayAgo, dayAgo);
    await utimes(two, dayAgo, dayAgo);
    await version('two'); // used again now
    await version('three');
    const builds = (await readdir(cacheDir)).filter((n) => n.startsWith('build-'));
    expect(builds).not.toContain(path.basename(one));
    expect(builds).toContain(path.basename(two));
    expect(builds).toHaveLength(2);
  });

  it('a source that does not compile rejects, and leaves no staging behind', async () => {
    await writeFile(path.join(dir, 'src', 'sub', 'b.ts'), 'export const where = ;\n');
    await expect(build({ entry, cacheDir })).rejects.toThrow(/b\.ts/);
    expect((await readdir(cacheDir)).filter((n) => n.startsWith('.staging-'))).toEqual([]);
  });

  it('builds in the inlined packages (execa, yaml, p-retry) and what they import, CommonJS too; every other package stays in node_modules', async () => {
    // Beside the repo's node_modules, so that the packages resolve: in the build cache's own folder.
    const near = await mkdtemp(path.resolve(import.meta.dirname, '../../node_modules/.cache/redis-chaos/bundle-test-'));
    try {
      const main = path.join(near, 'main.ts');
      await writeFile(main, [
        "import { execa } from 'execa';",
        "import { parse } from 'yaml';",
        "import calculateSlot from 'cluster-key-slot';",
        // execa runs its child through cross-spawn, CommonJS requiring Node's child_process.
        "export const value = `${parse('a: 1').a} ${calculateSlot('hits')} ${(await execa(process.execPath, ['-e', 'process.stdout.write(`ran`)'])).stdout}`;",
        'export const late = async () => null;',
      ].join('\n'));
      const url = await build({ entry: main, cacheDir: path.join(near, 'cache') });
      expect(await load(url)).toMatchObject({ value: '1 4994 ran' });
      const text = (await Promise.all((await readdir(path.dirname(fileURLToPath(url)))).filter((f) => f.endsWith('.js')).map((f) => readFile(path.join(path.dirname(fileURLToPath(url)), f), 'utf8')))).join('\n');
      expect(text).not.toMatch(/from\s+["'](execa|yaml|cross-spawn)["']/);
      expect(text).toMatch(/from\s+["']cluster-key-slot["']/);
    } finally {
      await rm(near, { recursive: true, force: true });
    }
  });

  it("the harness's CLI: the local path does not load client-node (0.58 s) at start", async () => {
    const url = await build({ entry: path.resolve(import.meta.dirname, '../cli.ts'), cacheDir });
    // The entry and every chunk it imports statically: what node loads before the CLI runs.
    const loaded = new Set<string>();
    const visit = async (file: string): Promise<void> => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const text = await readFile(file, 'utf8');
      for (const [, spec] of text.matchAll(/^import\s[^'"]*["'](\.\/[^'"]+)["'];?$/gm)) await visit(path.join(path.dirname(file), spec!));
    };
    await visit(fileURLToPath(url));
    const text = (await Promise.all([...loaded].map((f) => readFile(f, 'utf8')))).join('\n');
    expect(text).toMatch(/^\/\/ .*harness\/errors\.ts$/m); // the walk reached the chunks the CLI imports
    expect(text).not.toMatch(/from\s+["']@kubernetes\/client-node["']/);
  });
});
