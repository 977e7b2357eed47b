import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import type { ScenarioSeries } from '../scenario/series.ts';
import { scenarioChartSpecs } from './charts.ts';

/** Draws vega-lite specs to SVG, in order. */
export interface ChartRenderer {
  render(specs: TopLevelSpec[]): Promise<string[]>;
  /** Idempotent. */
  close(): Promise<void>;
}

const THREAD = fileURLToPath(new URL('./chart-thread.mjs', import.meta.url));
// A draw that takes longer than this is the thread's failure: the charts are drawn here instead.
const THREAD_TIMEOUT_MS = 30_000;

/** In the calling thread, vega loaded on first use. */
export const inThisThread: ChartRenderer = {
  render: async (specs) => {
    const { drawSvg } = await import('./draw-svg.mjs');
    return Promise.all(specs.map(drawSvg));
  },
  close: async () => undefined,
};

/**
 * A worker thread that loads vega and draws a throwaway set of charts at once, so that its code
 * is compiled when the run's own are asked for. On the CLI's main thread, the seed's six charts
 * took 190-290 ms cold and held up the run's teardown beside them, which waits on that thread
 * for every process it runs: verdict to report line 0.40-0.49 s, against 0.23 s with no charts
 * (measured). Anything the thread cannot do (it fails, exits, or takes over 30 s) is drawn in the
 * calling thread instead. It never keeps the process alive by itself. `file`: the thread's code
 * (chart-thread.mjs; another only in tests).
 */
export function chartThread(file = THREAD): ChartRenderer {
  let worker: Worker;
  try {
    // No flags of this process (--input-type, a loader): the thread is plain JavaScript.
    worker = new Worker(file, { execArgv: [] });
  } catch {
    return inThisThread;
  }
  worker.unref();
  const pending = new Map<number, { resolve(svgs: string[]): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  let seq = 0;
  let broken: Error | null = null;
  const settle = (id: number) => {
    const p = pending.get(id);
    if (!p) return null;
    pending.delete(id);
    clearTimeout(p.timer);
    // A request waiting holds the process open, as a draw in this thread would.
    if (pending.size === 0) worker.unref();
    return p;
  };
  const breakAll = (error: Error) => {
    broken ??= error;
    for (const id of [...pending.keys()]) settle(id)?.reject(error);
  };
  worker.on('message', (m: { id: number; svgs?: string[]; error?: string }) => {
    const p = settle(m.id);
    if (m.svgs) p?.resolve(m.svgs);
    else p?.reject(new Error(m.error ?? 'no answer'));
  });
  worker.on('error', breakAll);
  worker.on('exit', (code) => breakAll(new Error(`the chart thread exited (${code})`)));
  const ask = (specs: TopLevelSpec[]) => new Promise<string[]>((resolve, reject) => {
    if (broken) return reject(broken);
    const id = ++seq;
    const timer = setTimeout(() => settle(id)?.reject(new Error(`the chart thread took over ${THREAD_TIMEOUT_MS} ms`)), THREAD_TIMEOUT_MS);
    pending.set(id, { resolve, reject, timer });
    worker.ref();
    worker.postMessage({ id, specs });
  });
  void ask(scenarioChartSpecs(warmUpSeries()).map((c) => c.spec)).catch(() => undefined);
  let closed: Promise<void> | null = null;
  return {
    render: (specs) => (closed ? inThisThread.render(specs) : ask(specs).catch(() => inThisThread.render(specs))),
    close: () => (closed ??= worker.terminate().then(() => undefined, () => undefined)),
  };
}

/** Shaped like a short run's series (40 buckets, three keys): warmer for vega than a tiny one (measured). */
function warmUpSeries(): ScenarioSeries {
  const ts = Array.from({ length: 40 }, (_, i) => i * 250);
  const keys = ['', 'b', 'c'];
  return {
    counter: keys.flatMap((key) => ts.map((tMs, i) => ({ tMs, key, value: i * 10 }))),
    shards: keys.flatMap((key) => ts.map((tMs, i) => ({ tMs, key, perSec: i % 7 }))),
    throughput: (['ok', 'fail', 'info'] as const).flatMap((type) => ts.map((tMs, i) => ({ tMs, type, perSec: i }))),
    latency: (['p50', 'p99', 'max'] as const).flatMap((stat) => ts.map((tMs, i) => ({ tMs, stat, ms: 1 + i }))),
    coverage: ts.map((tMs, i) => ({ tMs, covered: i % 2 ? 16384 : 10_000 })),
    owner: ts.map((tMs, i) => ({ tMs, owner: i < 20 ? 'a' : 'b' })),
    windows: [{ label: 'warm-up', fromMs: 1000, toMs: 5000 }],
  };
}
