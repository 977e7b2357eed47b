// A scenario's charts as vega-lite specs. Drawing them (draw-svg.mjs) is apart: building them
// needs no vega, whose code takes a third of a second to load and more to run cold, so that the
// CLI can hand the drawing to a thread of its own (chart-renderer.ts) without loading vega itself.
import type { TopLevelSpec } from 'vega-lite';
import type { ScenarioSeries } from '../scenario/series.ts';

export interface Chart {
  id: string;
  title: string;
  svg: string;
}

const WIDTH = 720;

/** A vega-lite layer that shades each fault window, drawn under the data. */
function windowsLayer(series: ScenarioSeries) {
  return {
    data: { values: series.windows.map((w) => ({ ...w, from: w.fromMs / 1000, to: w.toMs / 1000 })) },
    mark: { type: 'rect' as const, color: '#f4a261', opacity: 0.25 },
    encoding: {
      x: { field: 'from', type: 'quantitative' as const, scale: { domain: [0, timeAxisEnd(series)], nice: false } },
      x2: { field: 'to' },
      tooltip: [{ field: 'label', type: 'nominal' as const }],
    },
  };
}

/**
 * Every chart of a scenario is drawn on one time axis: the same x domain (no rounding to nice
 * numbers, which differs with each chart's data), and the same room for the y axis, so that a
 * second is at the same place on the page in all of them and a fault's window lines up.
 */
const Y_AXIS_PX = 96;

function chart(series: ScenarioSeries, title: string, height: number, layer: Record<string, unknown>): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height,
    layer: [windowsLayer(series), layer],
    resolve: { scale: { x: 'shared' } },
    config: { axisY: { minExtent: Y_AXIS_PX, maxExtent: Y_AXIS_PX, labelLimit: Y_AXIS_PX - 20 } },
  } as TopLevelSpec;
}

/** The end of the time axis, in seconds: the last moment any series or fault window reaches. */
export function timeAxisEnd(series: ScenarioSeries): number {
  const ends = [series.counter, series.shards ?? [], series.throughput, series.latency, series.coverage, series.owner].map((rows) => rows.reduce((m, r) => Math.max(m, r.tMs), 0));
  return Math.max(1, ...ends, ...series.windows.map((w) => w.toMs)) / 1000;
}
const secs = <T extends { tMs: number }>(rows: T[]) => rows.map((r) => ({ ...r, t: r.tMs / 1000 }));
/** The default key is '' in a history; the charts call it by its name, as the shard table does. */
const keyed = <T extends { key?: string }>(rows: T[], defaultKey = 'default key') => rows.map((r) => ({ ...r, key: r.key || defaultKey }));

export function scenarioChartSpecs(series: ScenarioSeries): { id: string; title: string; spec: TopLevelSpec }[] {
  const x = { field: 't', type: 'quantitative', title: 'seconds since load started', scale: { domain: [0, timeAxisEnd(series)], nice: false, zero: true } };
  const specs = [
    { id: 'counter', title: 'Counter value (ok operations)', spec: chart(series, 'Counter value', 140, {
      data: { values: secs(keyed(series.counter, series.defaultKey)) }, mark: { type: 'line', interpolate: 'step-after' },
      encoding: { x, y: { field: 'value', type: 'quantitative', title: 'count', scale: { zero: false } }, color: { field: 'key', type: 'nominal', title: 'key' } },
    }) },
    { id: 'shards', title: 'Ok operations per shard', spec: chart(series, 'Ok operations per shard (ops/s)', 140, {
      data: { values: secs(keyed(series.shards ?? [], series.defaultKey)) }, mark: { type: 'line' },
      encoding: { x, y: { field: 'perSec', type: 'quantitative', title: 'ops/s' }, color: { field: 'key', type: 'nominal', title: 'key' } },
    }) },
    { id: 'throughput', title: 'Throughput by outcome', spec: chart(series, 'Throughput (ops/s)', 140, {
      data: { values: secs(series.throughput) }, mark: { type: 'line' },
      encoding: { x, y: { field: 'perSec', type: 'quantitative', title: 'ops/s' },
        color: { field: 'type', type: 'nominal', scale: { domain: ['ok', 'fail', 'info'], range: ['#2a9d8f', '#e63946', '#e9c46a'] } } },
    }) },
    { id: 'latency', title: 'Latency of ok operations', spec: chart(series, 'Latency (ms, 250 ms buckets)', 140, {
      data: { values: secs(series.latency) }, mark: { type: 'line' },
      encoding: { x, y: { field: 'ms', type: 'quantitative', title: 'ms', scale: { type: 'symlog' } }, color: { field: 'stat', type: 'nominal' } },
    }) },
    { id: 'coverage', title: 'Slots covered', spec: chart(series, 'Slots covered by exactly one master', 120, {
      data: { values: secs(series.coverage) }, mark: { type: 'line', interpolate: 'step-after' },
      encoding: { x, y: { field: 'covered', type: 'quantitative', title: 'slots', scale: { domain: [0, 16384] } } },
    }) },
    { id: 'owner', title: "Owner of the counter's slot", spec: chart(series, "Master of the counter's slot", 100, {
      data: { values: secs(series.owner) }, mark: { type: 'tick', thickness: 3 },
      encoding: { x, y: { field: 'owner', type: 'nominal', title: 'master' }, color: { field: 'owner', type: 'nominal', legend: null } },
    }) },
  ];
  return specs as { id: string; title: string; spec: TopLevelSpec }[];
}
