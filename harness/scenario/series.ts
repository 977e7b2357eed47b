import type { FaultRecord } from '../checkers/index.ts';
import { faultEndMs, isEnding, percentile } from '../checkers/index.ts';
import type { OpTable } from '../workload/history.ts';
import type { SampleSummary } from '../workload/sampler.ts';

/** The time series the report draws for one scenario; small by construction (bucketed). */
export interface ScenarioSeries {
  /** Per counter key ('' is the app's default key). */
  counter: { tMs: number; key: string; value: number }[];
  /** Ok operations per second on each key, i.e. on each shard. */
  shards: { tMs: number; key: string; perSec: number }[];
  throughput: { tMs: number; type: 'ok' | 'fail' | 'info'; perSec: number }[];
  latency: { tMs: number; stat: 'p50' | 'p99' | 'max'; ms: number }[];
  coverage: { tMs: number; covered: number }[];
  owner: { tMs: number; owner: string }[];
  windows: { label: string; fromMs: number; toMs: number }[];
  /** The default key's name (`hits`), so that the charts call it what the shard table does. */
  defaultKey?: string;
}

const BUCKET_MS = 250;

/**
 * `shardOf` maps a history key ('' for the default) to its shard's first key, as the shard table
 * names it: with 8 keys or more a shard, a line per key would be a tangle and series.json would
 * grow with the keys, so the ok rate is summed per shard and the counter drawn for each shard's
 * first key. Absent: each key is its own shard.
 */
export function seriesOf(history: OpTable, samples: SampleSummary[], faults: FaultRecord[], recoveredAtMs: number | null, endMs: number, shardOf: (key: string) => string = (k) => k): ScenarioSeries {
  const counter = new Map<string, number>(); // `${bucket} ${key}` → highest value seen
  const shardOk = new Map<string, number>();
  const counts = new Map<number, { ok: number; fail: number; info: number }>();
  const lat = new Map<number, number[]>();
  for (const o of history) {
    const b = Math.floor(o.completeNs / 1e6 / BUCKET_MS) * BUCKET_MS;
    const c = counts.get(b) ?? { ok: 0, fail: 0, info: 0 };
    c[o.type]++;
    counts.set(b, c);
    if (o.type !== 'ok') continue;
    const key = o.key ?? '';
    const shard = shardOf(key);
    const cell = `${b} ${key}`;
    shardOk.set(`${b} ${shard}`, (shardOk.get(`${b} ${shard}`) ?? 0) + 1);
    // An append's value names it and measures nothing; a list read's is the list's length, so a rollback shows as a drop.
    if (o.value !== null && o.f !== 'append' && shard === key) counter.set(cell, Math.max(counter.get(cell) ?? -Infinity, o.value));
    const l = lat.get(b) ?? [];
    l.push((o.completeNs - o.invokeNs) / 1e6);
    lat.set(b, l);
  }
  const sorted = <T>(m: Map<number, T>) => [...m.entries()].sort((a, b) => a[0] - b[0]);
  const round = (x: number) => Math.round(x * 100) / 100;
  const windows: ScenarioSeries['windows'] = [];
  for (const f of faults) {
    if (isEnding(f)) continue;
    windows.push({ label: `${f.kind} ${f.target}`, fromMs: f.atMs, toMs: faultEndMs(f, faults, recoveredAtMs ?? endMs) });
  }
  return {
    counter: byCell(counter).map(({ tMs, key, n }) => ({ tMs, key, value: n })),
    // Every bucket for every key, zero where a shard served nothing: a line must not bridge an outage.
    shards: sorted(counts).flatMap(([tMs]) => [...new Set(history.keyNames.map(shardOf))].map((key) => ({ tMs, key, perSec: ((shardOk.get(`${tMs} ${key}`) ?? 0) * 1000) / BUCKET_MS }))),
    throughput: sorted(counts).flatMap(([tMs, c]) => (['ok', 'fail', 'info'] as const).map((type) => ({ tMs, type, perSec: (c[type] * 1000) / BUCKET_MS }))),
    latency: sorted(lat).flatMap(([tMs, l]) => {
      l.sort((a, b) => a - b);
      return [
        { tMs, stat: 'p50' as const, ms: round(percentile(l, 50)!) },
        { tMs, stat: 'p99' as const, ms: round(percentile(l, 99)!) },
        { tMs, stat: 'max' as const, ms: round(l[l.length - 1]!) },
      ];
    }),
    coverage: samples.map((s) => ({ tMs: Math.round(s.tMs), covered: s.covered })),
    owner: samples.map((s) => ({ tMs: Math.round(s.tMs), owner: s.counterOwnerPod ?? 'none' })),
    windows,
  };
}

/** `${bucket} ${key}` cells back into rows, in time order. */
function byCell(cells: Map<string, number>): { tMs: number; key: string; n: number }[] {
  return [...cells].map(([cell, n]) => {
    const i = cell.indexOf(' ');
    return { tMs: Number(cell.slice(0, i)), key: cell.slice(i + 1), n };
  }).sort((a, b) => a.tMs - b.tMs);
}
