// @ts-check
// The chart thread (chart-renderer.ts): draws each request's specs to SVG and answers with them,
// off the CLI's main thread, which meanwhile tears the run down. Plain JavaScript: a worker thread
// has no TypeScript loader.
import { parentPort } from 'node:worker_threads';
import { drawSvg } from './draw-svg.mjs';

if (!parentPort) throw new Error('chart-thread.mjs runs as a worker thread');
const port = parentPort;
port.on('message', async (/** @type {{ id: number, specs: import('vega-lite').TopLevelSpec[] }} */ { id, specs }) => {
  try {
    port.postMessage({ id, svgs: await Promise.all(specs.map(drawSvg)) });
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
