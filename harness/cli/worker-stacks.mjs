// @ts-check
// Preloaded into each scenario worker that loads the harness from its bundle (worker-bundle.ts).
// vitest formats stack traces with vite's hook, which maps only the modules vite served: a frame in
// the bundle would name the bundle's line. Here each such frame is mapped back to the TypeScript
// source it came from, with the build's own source map, read once when a stack first needs it.
// The hook stays vitest's: this wraps whatever is installed as Error.prepareStackTrace.
// Plain JavaScript, since it runs before any TypeScript loader.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = process.env.HARNESS_WORKER_BUNDLE;
if (bundle) mapStacksOf(path.dirname(bundle));

/** @param {string} dir the build's folder: its .js files and their .js.map beside them */
function mapStacksOf(dir) {
  const dirUrl = pathToFileURL(dir).href;
  const frame = new RegExp(`${dirUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([\\w.-]+\\.js):(\\d+):(\\d+)`, 'g');
  /** @type {Map<string, SourceMap | null>} */
  const maps = new Map();
  /** @param {string} file @param {string} line @param {string} column @returns {string | null} */
  const original = (file, line, column) => {
    if (!maps.has(file)) {
      try {
        maps.set(file, new SourceMap(JSON.parse(readFileSync(path.join(dir, `${file}.map`), 'utf8'))));
      } catch {
        maps.set(file, null); // no map: the frame keeps the bundle's line
      }
    }
    const entry = maps.get(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry)) return null;
    const source = fileURLToPath(new URL(entry.originalSource, `${dirUrl}/${file}`));
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  };
  /** @type {((error: Error, frames: NodeJS.CallSite[]) => unknown) | undefined} */
  let installed = Error.prepareStackTrace;
  Object.defineProperty(Error, 'prepareStackTrace', {
    configurable: true,
    get: () => installed && function prepareStackTrace(/** @type {Error} */ error, /** @type {NodeJS.CallSite[]} */ frames) {
      const text = installed?.call(this, error, frames);
      return typeof text === 'string' ? text.replace(frame, (whole, file, line, column) => original(file, line, column) ?? whole) : text;
    },
    set: (fn) => {
      installed = fn;
    },
  });
}
