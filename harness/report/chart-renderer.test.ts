import { execa } from 'execa';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chartThread, inThisThread, type ChartRenderer } from './chart-renderer.ts';
import { scenarioChartSpecs } from './charts.ts';
import type { ScenarioSeries } from '../scenario/series.ts';

const series: ScenarioSeries = {
  counter: [{ tMs: 0, key: '', value: 0 }, { tMs: 2_000, key: '', value: 40 }],
  shards: [{ tMs: 250, key: '', perSec: 40 }],
  throughput: [{ tMs: 0, type: 'ok', perSec: 400 }, { tMs: 2_000, type: 'fail', perSec: 10 }],
  latency: [{ tMs: 500, stat: 'p99', ms: 3 }],
  coverage: [{ tMs: 100, covered: 16384 }],
  owner: [{ tMs: 100, owner: 'redis-cluster-0' }],
  windows: [{ label: 'kill redis-cluster-0', fromMs: 500, toMs: 1_500 }],
};
const specs = scenarioChartSpecs(series).map((c) => c.spec);

describe('the chart thread', () => {
  let renderer: ChartRenderer | null = null;
  afterEach(async () => {
    await renderer?.close();
    renderer = null;
  });

  it('draws what this thread draws, chart for chart', async () => {
    renderer = chartThread();
    const drawn = await renderer.render(specs);
    expect(drawn).toHaveLength(specs.length);
    expect(drawn).toEqual(await inThisThread.render(specs));
    expect(drawn[0]).toMatch(/^<svg /);
  });

  it('a thread that cannot run (its code missing): the charts are drawn in this thread', async () => {
    renderer = chartThread(path.join(import.meta.dirname, 'no-such-thread.mjs'));
    expect(await renderer.render(specs)).toEqual(await inThisThread.render(specs));
  });

  it('once closed, it draws in this thread, and closing again is harmless', async () => {
    renderer = chartThread();
    await renderer.close();
    await renderer.close();
    expect(await renderer.render(specs.slice(0, 1))).toEqual(await inThisThread.render(specs.slice(0, 1)));
  });

  it('never keeps the process alive by itself', async () => {
    // A process that starts one, warming up, and forgets it: it exits on its own, at once.
    const file = path.join(import.meta.dirname, 'chart-renderer.ts');
    const r = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { chartThread } from ${JSON.stringify(file)}; chartThread(); console.log('started');`],
      { reject: false, timeout: 20_000 });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('started');
  });
});
