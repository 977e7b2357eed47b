import type { Op } from '../workload/history.ts';
import type { Checker } from './types.ts';

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
 * Reports what clients lived through: the longest gap between ok INCRs, errors by kind, latency
 * before/during/after the fault window, throughput, and the windows in which a majority of
 * masters was gone. Pass/fail only when the scenario sets `maxUnavailableMs`.
 */
export const availabilityChecker: Checker = ({ history, faults, recoveredAtMs, samples, shape, expect }) => {
  const ops = [...history];
  const okIncr = ops.filter((o) => o.f === 'incr' && o.type === 'ok').map((o) => o.completeNs / 1e6).sort((a, b) => a - b);
  const start = ops.length ? Math.min(...ops.slice(0, 64).map((o) => o.invokeNs / 1e6)) : 0;
  const end = ops.length ? ops.reduce((m, o) => Math.max(m, o.completeNs / 1e6), 0) : 0;
  let gap = { fromMs: start, toMs: end, ms: okIncr.length ? 0 : end - start };
  let prev = start;
  for (const t of [...okIncr, end]) {
    if (t - prev > gap.ms) gap = { fromMs: prev, toMs: t, ms: t - prev };
    prev = Math.max(prev, t);
  }
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
  const majority = Math.floor(shape.masters / 2) + 1;
  const majorityLost: { fromMs: number; toMs: number }[] = [];
  for (const s of samples) {
    const last = majorityLost.at(-1);
    if (s.mastersUp < majority) {
      if (last && last.toMs === -1) continue;
      majorityLost.push({ fromMs: Math.round(s.tMs), toMs: -1 });
    } else if (last && last.toMs === -1) last.toMs = Math.round(s.tMs);
  }
  const open = majorityLost.at(-1);
  if (open && open.toMs === -1) open.toMs = Math.round(samples.at(-1)!.tMs);
  const durationS = Math.max(0.001, (end - start) / 1000);
  const details = {
    maxUnavailableMs: Math.round(gap.ms), maxUnavailable: { fromMs: Math.round(gap.fromMs), toMs: Math.round(gap.toMs) },
    errors, latency, okPerSec: Math.round(okOps.length / durationS), opsPerSec: Math.round(ops.length / durationS),
    faultWindow: faultFrom === null ? null : { fromMs: Math.round(faultFrom), toMs: Math.round(faultTo!) },
    majorityLost, threshold: expect.maxUnavailableMs ?? null,
  };
  const summary = `longest gap between ok INCRs ${Math.round(gap.ms)} ms; ${details.okPerSec} ok/s; p99 ${latency.all.p99} ms`
    + (majorityLost.length ? `; majority of masters gone for ${majorityLost.map((w) => `${w.toMs - w.fromMs} ms`).join(', ')}` : '');
  if (expect.maxUnavailableMs !== undefined && gap.ms > expect.maxUnavailableMs) {
    return { valid: false, message: `unavailable for ${Math.round(gap.ms)} ms, above the ${expect.maxUnavailableMs} ms allowed (${summary})`, details };
  }
  return { valid: true, message: summary, details };
};
