// @ts-check
// The scenarios' CLI (harness/cli.ts and what it imports, ~140 modules) as one esbuild bundle,
// kept in a build cache and rebuilt when any of its sources changes. Under tsx, each of those
// modules took a round trip to tsx's loader thread and tsx itself took 0.17 s to load: `--help`
// took 0.93 s against 0.50 s from the bundle, and a run's start-up was on a cold run's path
// (measured; docs/benchmarks.md). The code is the harness's own, untransformed beyond TypeScript's
// types; packages stay external (node_modules), but for INLINED_PACKAGES, and code splitting keeps
// each dynamic import lazy (client-node alone takes 0.58 s to import, and the local path never needs it).
//
// Plain JavaScript: it runs before any TypeScript loader.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// Bumped when the build's options change, so that no older build is taken for a fresh one.
const BUILD_FORMAT = 2;
// A build no start has used for this long goes (a long run still loads its lazy chunks).
const STALE_AFTER_MS = 24 * 3600_000;
const LOADERS = /** @type {const} */ ({ '.ts': 'ts', '.mts': 'ts', '.js': 'js', '.mjs': 'js', '.json': 'json' });
/**
 * Packages built into the bundle with their dependencies, where every other package stays in
 * node_modules. Node loads an ESM package module by module, each resolved, read and linked on its
 * own: execa (about 70 modules with its dependencies), yaml and p-retry took 100-130 ms of every
 * start that way, against about 10 ms bundled (measured, 2026-12-08). These three hold no state
 * another copy could miss and find no file of their own at run time. The others stay out: vitest
 * and allure (a scenario's test and steps must meet the runner's own copy), client-node and vega
 * (loaded lazily, when at all), ioredis (it reads its package.json through __dirname, which an ES
 * module bundle has not), esbuild and playwright-core (native binaries, their own files).
 */
const INLINED_PACKAGES = new Set(['execa', 'yaml', 'p-retry']);

/**
 * Whether a file belongs to an installed package rather than to the project the entry is part of
 * (`root`, its nearest folder with a package.json): a file in the root's node_modules, or outside
 * the root (a package hoisted above it, when the harness itself is installed as a package).
 * node_modules' own build caches are not packages.
 * @param {string} root @param {string} file
 */
function inPackage(root, file) {
  const relative = path.relative(root, file);
  return relative.startsWith('..') || /^node_modules[\\/](?!\.cache[\\/])/.test(relative);
}

/** The nearest folder above `entry` with a package.json; the entry's own folder if none has. @param {string} entry */
function projectRoot(entry) {
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.dirname(entry);
  }
}
// CommonJS among the inlined packages' dependencies (cross-spawn) requires Node's built-ins, which
// an ES module has no `require` for: each file of the bundle makes one, from its own URL (spelt
// in two pieces, since the build rewrites that expression in every source it reads, this one too).
const REQUIRE_BANNER = `import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(${'import.meta'}.url);`;

/** @param {string | Buffer} text */
const hash = (text) => createHash('sha256').update(text).digest('hex');

/**
 * The entry's module URL in a build that is current for its sources, building it if none is.
 * `cacheDir` holds one folder per distinct build (named by the hash of its sources and their
 * paths, so that worktrees sharing a node_modules never take each other's) and one record per
 * entry naming the build last made for it with the hash of each source. A build is current when
 * every source still hashes the same (reading them: ~140 small files, a few ms); mtimes would miss
 * an edit within the same tick and a checkout's rewind. Concurrent starts may both build; each
 * builds into a folder of its own and renames it into place, the loser using the winner's.
 * @param {{ entry: string, cacheDir: string }} options  entry: an absolute path to a .ts file
 * @returns {Promise<string>} the file URL to import
 */
export async function bundledEntry({ entry, cacheDir }) {
  const record = path.join(cacheDir, `${hash(entry).slice(0, 16)}.json`);
  const current = readRecord(record);
  if (current && isCurrent(current, cacheDir)) {
    touch(path.join(cacheDir, current.build));
    return pathToFileURL(path.join(cacheDir, current.build, current.main)).href;
  }

  mkdirSync(cacheDir, { recursive: true });
  const staging = path.join(cacheDir, `.staging-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  try {
    const { sources, main } = await build(entry, staging);
    const key = hash(JSON.stringify({ BUILD_FORMAT, entry, sources: Object.entries(sources).sort() }));
    const name = `build-${key.slice(0, 16)}`;
    const dir = path.join(cacheDir, name);
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another start built the same sources first: its build is this one.
      if (!existsSync(path.join(dir, main))) throw error;
    }
    touch(dir);
    const recordTmp = `${staging}.json`;
    writeFileSync(recordTmp, JSON.stringify({ build: name, main, sources }));
    renameSync(recordTmp, record);
    prune(cacheDir, name);
    return pathToFileURL(path.join(dir, main)).href;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * @param {string} entry
 * @param {string} outdir
 * @returns {Promise<{ sources: Record<string, string>, main: string }>}
 */
async function build(entry, outdir) {
  const { build: esbuild } = await import('esbuild');
  const root = projectRoot(entry);
  /** @type {Record<string, string>} */
  const sources = {};
  await esbuild({
    entryPoints: [entry], outdir, entryNames: '[name]', bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20',
    sourcemap: 'linked', logLevel: 'silent', legalComments: 'none', banner: { js: REQUIRE_BANNER },
    plugins: [{
      name: 'packages',
      setup(b) {
        // A package the harness imports stays external unless it is inlined; what an inlined
        // package imports is built in with it.
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith('node:') || inPackage(root, args.importer)) return undefined;
          const name = args.path.split('/').slice(0, args.path.startsWith('@') ? 2 : 1).join('/');
          return INLINED_PACKAGES.has(name) ? undefined : { path: args.path, external: true };
        });
      },
    }, {
      name: 'sources',
      setup(b) {
        // Each source read here is the one hashed, so an edit during the build shows as stale.
        b.onLoad({ filter: /\.(m?ts|m?js|json)$/ }, (args) => {
          const text = readFileSync(args.path, 'utf8');
          sources[args.path] = hash(text);
          const loader = LOADERS[/** @type {keyof typeof LOADERS} */ (path.extname(args.path))];
          // import.meta is the bundle's, not the source's: the harness finds its files (the
          // scenarios, the fork server, delayd.py) relative to each source file.
          const contents = text
            .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
            .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
            .replaceAll('import.meta.filename', JSON.stringify(args.path));
          return { contents, loader, resolveDir: path.dirname(args.path) };
        });
      },
    }],
  });
  return { sources, main: `${path.basename(entry).replace(/\.[^.]+$/, '')}.js` };
}

/** @param {string} file @returns {{ build: string, main: string, sources: Record<string, string> } | undefined} */
function readRecord(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** @param {{ build: string, main: string, sources: Record<string, string> }} record @param {string} cacheDir */
function isCurrent(record, cacheDir) {
  try {
    return existsSync(path.join(cacheDir, record.build, record.main))
      && Object.entries(record.sources).every(([file, digest]) => hash(readFileSync(file, 'utf8')) === digest);
  } catch {
    return false;
  }
}

/**
 * Marks a build as in use now: prune() removes only builds no start has used for a day, since a
 * long run (a gate, CI) loads its build's lazy chunks hours after it started.
 * @param {string} dir
 */
function touch(dir) {
  try {
    const now = new Date();
    utimesSync(dir, now, now);
  } catch {
    // A build that cannot be marked may be pruned a day early; never a reason to fail a start.
  }
}

/** Builds and staging folders other than `keep`, unused for a day. @param {string} cacheDir @param {string} keep */
function prune(cacheDir, keep) {
  for (const name of readdirSync(cacheDir)) {
    if (name === keep || !(name.startsWith('build-') || name.startsWith('.staging-'))) continue;
    const file = path.join(cacheDir, name);
    try {
      if (Date.now() - statSync(file).mtimeMs > STALE_AFTER_MS) rmSync(file, { recursive: true, force: true });
    } catch {
      // Gone already, or another start's: never a reason to fail this one.
    }
  }
}
