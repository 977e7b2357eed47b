import type { Op } from '../workload/history.ts';
import { majorityLostWindows } from './majority.ts';
import { promotionDeadlineMs } from './replica-promotion.ts';
import { isWrite, perShard, writesNamed, checker, type RunEvidence } from './types.ts';

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const latencies = (ops: Op[]) => {
  const ms = ops.map((o) => (o.completeNs - o.invokeNs) / 1e6).sort((a, b) => a - b);
  const r = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  return { count: ms.length, p50: r(percentile(ms, 50)), p95: r(percentile(ms, 95)), p99: r(percentile(ms, 99)) };
};

/**
 * Reports what clients lived through: the longest gap between ok INCRs on any one shard (and each
 * shard's own), errors by kind, latency
 * before/during/after the fault window, throughput, and the windows in which a majority of
 * masters was gone. Pass/fail only when the scenario sets `maxUnavailableMs`.
 */
export const availabilityChecker = checker((e) => {
  const { history, faults, recoveredAtMs, samples, shape, expect } = e;
  const threshold = expect.maxUnavailableMs === 'failover' ? promotionDeadlineMs(e.nodeTimeoutMs) : (expect.maxUnavailableMs ?? null);
  const ops = [...history];
  const start = ops.length ? Math.min(...ops.slice(0, 64).map((o) => o.invokeNs / 1e6)) : 0;
  const end = ops.length ? ops.reduce((m, o) => Math.max(m, o.completeNs / 1e6), 0) : 0;
  // Per shard: an outage of one shard is invisible in the gaps between ok INCRs of all keys.
  const shards = perShard(e).map(({ k, ops: keyOps }) => ({ key: k.key, slot: k.slot, masterAtStart: k.masterAtStart, gap: longestGap(keyOps, start, end), ok: keyOps.filter((o) => o.type === 'ok').length }));
  const worst = shards.reduce((w, s) => (s.gap.ms > w.gap.ms ? s : w), shards[0]!);
  const gap = worst.gap;
  const errors: Record<string, number> = {};
  for (const o of ops) if (o.type !== 'ok') errors[`${o.type}: ${o.error ?? 'unknown'}`] = (errors[`${o.type}: ${o.error ?? 'unknown'}`] ?? 0) + 1;

  const faultFrom = faults.length ? Math.min(...faults.map((f) => f.atMs)) : null;
  const faultTo = faultFrom === null ? null : (recoveredAtMs ?? end);
  const okOps = ops.filter((o) => o.type === 'ok');
  const phase = (o: Op) => (faultFrom === null || o.invokeNs / 1e6 < faultFrom ? 'before' : o.invokeNs / 1e6 <= faultTo! ? 'during' : 'after');
  const latency = {
    all: latencies(okOps),
    before: latencies(okOps.filter((o) => phase(o) === 'before')),
    during: latencies(okOps.filter((o) => phase(o) === 'during')),
    after: latencies(okOps.filter((o) => phase(o) === 'after')),
  };
  const majorityLost = majorityLostWindows(samples, faults, shape.masters);
  const durationS = Math.max(0.001, (end - start) / 1000);
  const details = {
    maxUnavailableMs: Math.round(gap.ms), maxUnavailable: { fromMs: Math.round(gap.fromMs), toMs: Math.round(gap.toMs), key: worst.key },
    shards: shards.map((s) => ({ key: s.key, slot: s.slot, masterAtStart: s.masterAtStart, maxUnavailableMs: Math.round(s.gap.ms), fromMs: Math.round(s.gap.fromMs), toMs: Math.round(s.gap.toMs), ok: s.ok })),
    errors, latency, okPerSec: Math.round(okOps.length / durationS), opsPerSec: Math.round(ops.length / durationS),
    faultWindow: faultFrom === null ? null : { fromMs: Math.round(faultFrom), toMs: Math.round(faultTo!) },
    majorityLost, threshold,
  };
  const where = shards.length > 1 ? ` (key ${worst.key}, slot ${worst.slot}; other shards ${shards.filter((s) => s !== worst).map((s) => `${Math.round(s.gap.ms)} ms`).join(', ')})` : '';
  const phases = latency.during.count ? ` (${latency.before.p99 ?? '-'} ms before the fault, ${latency.during.p99} ms during)` : '';
  const summary = `longest gap between ok ${writesNamed(e)} ${Math.round(gap.ms)} ms${where}; ${details.okPerSec} ok/s; p99 ${latency.all.p99} ms${phases}`
    + (majorityLost.length ? `; majority of masters gone for ${majorityLost.map((w) => `${w.toMs - w.fromMs} ms`).join(', ')}` : '');
  if (threshold !== null && gap.ms > threshold) {
    return { valid: false, message: `unavailable for ${Math.round(gap.ms)} ms, above the ${threshold} ms allowed${expect.maxUnavailableMs === 'failover' ? ' (a failover\'s deadline)' : ''} (${summary})`, details };
  }
  return { valid: true, message: summary, details };
});

/** The longest stretch of [start, end] without an ok write (INCR or append) among `ops`. */
export function longestGap(ops: Op[], start: number, end: number): { fromMs: number; toMs: number; ms: number } {
  const okIncr = ops.filter((o) => isWrite(o) && o.type === 'ok').map((o) => o.completeNs / 1e6).sort((a, b) => a - b);
  let gap = { fromMs: start, toMs: end, ms: okIncr.length ? 0 : end - start };
  let prev = start;
  for (const t of [...okIncr, end]) {
    if (t - prev > gap.ms) gap = { fromMs: prev, toMs: t, ms: t - prev };
    prev = Math.max(prev, t);
  }
  return gap;
}

