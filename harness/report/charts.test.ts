// The charts of one scenario share a time axis: same domain, same room for the y axis, so that a
// second and a fault's window sit at the same place in every chart (issue 17 §5).
import { describe, expect, it } from 'vitest';
import { scenarioChartSpecs, timeAxisEnd } from './charts.ts';
import { drawSvg } from './draw-svg.mjs';
import type { ScenarioSeries } from '../scenario/series.ts';

const series: ScenarioSeries = {
  counter: [{ tMs: 0, key: '', value: 0 }, { tMs: 9_750, key: '', value: 120 }],
  shards: [{ tMs: 250, key: '', perSec: 40 }],
  throughput: [{ tMs: 0, type: 'ok', perSec: 400 }, { tMs: 10_000, type: 'ok', perSec: 390 }],
  latency: [{ tMs: 500, stat: 'p99', ms: 3 }],
  // The sampler's last sample lands after the history's last bucket: the longest series sets the end.
  coverage: [{ tMs: 100, covered: 16384 }, { tMs: 11_300, covered: 16384 }],
  owner: [{ tMs: 100, owner: 'redis-cluster-0' }],
  windows: [{ label: 'kill redis-cluster-0', fromMs: 2_000, toMs: 6_500 }],
  defaultKey: 'hits',
};

/** Where the plot area starts on the page (vega's padding for the y axis) and how wide it is. */
function plotEdges(svg: string): [number, number] {
  const origin = svg.match(/<g fill="none" stroke-miterlimit="4" transform="translate\(([\d.]+),/);
  const frame = svg.match(/class="background" aria-hidden="true" d="M0\.5,0\.5h([\d.]+)v/);
  expect(origin && frame, 'a plot origin and frame').toBeTruthy();
  return [Number(origin![1]), Number(frame![1])];
}

describe('the charts of a scenario', () => {
  it('all run from 0 to the last moment any series or window reaches, without rounding', () => {
    expect(timeAxisEnd(series)).toBe(11.3);
    for (const { spec } of scenarioChartSpecs(series)) {
      const layers = (spec as { layer: { encoding: { x: { scale?: unknown } } }[] }).layer;
      for (const l of layers) expect(l.encoding.x.scale).toMatchObject({ domain: [0, 11.3], nice: false });
    }
  });

  it('place the plot at the same x in every chart, whatever the width of the y labels', async () => {
    const edges = await Promise.all(scenarioChartSpecs(series).map(async ({ spec }) => plotEdges(await drawSvg(spec))));
    expect(new Set(edges.map(([left]) => left)).size, JSON.stringify(edges)).toBe(1);
    expect(new Set(edges.map(([, width]) => width)).size, JSON.stringify(edges)).toBe(1);
  });
});
