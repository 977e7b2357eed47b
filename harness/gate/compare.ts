import type { ScenarioResult } from '../scenario/result.ts';
import { countOutcome, failureMargin } from './counts.ts';

/** A figure the gate compares, lower is better; `slack` is the absolute change always tolerated. */
export interface Rule {
  figure: 'failoverMs' | 'recoveryMs' | 'maxUnavailableMs' | 'lostAcknowledged' | 'p99LatencyMs';
  /** A candidate worse than the baseline by more than this fraction (and the slack) regresses. */
  relative: number;
  slack: number;
}

export type Thresholds = Record<Rule['figure'], { relative: number; slack: number }>;

/**
 * Defaults, chosen against the spread of healthy-against-healthy runs on a 2-core machine: a
 * failover at node timeout 15000 varies by about 2 s, a delete-pod's window by about 1 s, and p99
 * by a few ms. Any acknowledged write lost where the baseline lost none is a regression.
 */
export const DEFAULT_THRESHOLDS: Thresholds = {
  failoverMs: { relative: 0.25, slack: 2000 },
  recoveryMs: { relative: 0.5, slack: 3000 },
  maxUnavailableMs: { relative: 0.5, slack: 2000 },
  lostAcknowledged: { relative: 0, slack: 0 },
  p99LatencyMs: { relative: 1, slack: 10 },
};

export interface FigureOutcome {
  figure: Rule['figure'];
  /** Each run's figure; null where the run never got there (never recovered, never failed over). */
  baseline: (number | null)[];
  candidate: (number | null)[];
  /** Runs that never produced the figure, each side. */
  baselineMissing: number;
  candidateMissing: number;
  /** Worst measured baseline run (the top of its spread) and the candidate's median, the two compared. */
  baselineWorst: number | null;
  /** 'never' when most candidate runs never produced the figure: a missing run counts as +∞. */
  candidateMedian: number | 'never' | null;
  /** null, and 'not measured': most baseline runs never produced the figure, nothing to hold the candidate to. */
  limit: number | null;
  outcome: 'regressed' | 'improved' | 'same' | 'not measured';
}

export interface ScenarioComparison {
  name: string;
  baselineStatuses: string[];
  candidateStatuses: string[];
  /** Runs not passed (failed, error, interrupted) each side, and the excess that is a regression. */
  failures: { baseline: number; candidate: number; margin: number };
  verdict: 'regressed' | 'improved' | 'same';
  figures: FigureOutcome[];
  reasons: string[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const numbers = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
const worstIfMissing = (xs: (number | null)[]) => xs.map((x) => x ?? Infinity);

/**
 * One scenario, baseline runs against candidate runs (the same seeds); docs/gate.md states the
 * rules. Failures are counted, never just noticed: a baseline's own failed run
 * does not excuse a candidate that fails more. A figure the candidate never produced is +∞ in its
 * median, so it cannot drop out and leave the runs that did. The limit is the worst measured
 * baseline run plus the larger of the relative threshold and the slack, so the baseline's spread
 * never counts against the candidate. A baseline run that never produced the figure is the worst
 * possible too, so it never tightens the limit: while most baseline runs produced the figure, the
 * limit comes from those that did, as a shorter repeat's would; when most did not (the baseline's
 * own median is +∞), the figure is not one the scenario reliably produces (a delete-pod-1 run fails
 * over now and then, healthy), no candidate median can be worse, and only the failure counts judge.
 */
export function compareScenario(name: string, baseline: ScenarioResult[], candidate: ScenarioResult[], thresholds: Thresholds = DEFAULT_THRESHOLDS): ScenarioComparison {
  if (!baseline.length || !candidate.length) throw new Error(`${name}: no runs to compare (baseline ${baseline.length}, candidate ${candidate.length})`);
  const margin = failureMargin(Math.min(baseline.length, candidate.length));
  const reasons: string[] = [];
  const failures = { baseline: baseline.filter((r) => r.status !== 'passed').length, candidate: candidate.filter((r) => r.status !== 'passed').length, margin };
  const failed = countOutcome(failures.baseline, baseline.length, failures.candidate, candidate.length, margin);
  if (failed === 'regressed') reasons.push(`not passed in ${failures.candidate}/${candidate.length} candidate runs (${statuses(candidate)}) against ${failures.baseline}/${baseline.length} baseline runs`);
  const figures = (Object.keys(thresholds) as Rule['figure'][]).map((figure): FigureOutcome => {
    const b = baseline.map((r) => r.metrics[figure]);
    const c = candidate.map((r) => r.metrics[figure]);
    const bs = numbers(b);
    const base = { figure, baseline: b, candidate: c, baselineMissing: b.length - bs.length, candidateMissing: c.length - numbers(c).length };
    if (median(worstIfMissing(b)) === Infinity) return { ...base, baselineWorst: bs.length ? Math.max(...bs) : null, candidateMedian: null, limit: null, outcome: 'not measured' };
    const cMedian = median(worstIfMissing(c));
    const shown = cMedian === Infinity ? 'never' : cMedian;
    const worst = Math.max(...bs);
    const best = Math.min(...bs);
    const { relative, slack } = thresholds[figure];
    const limit = worst + Math.max(slack, worst * relative);
    const outcome = cMedian > limit ? 'regressed' : cMedian < best - Math.max(slack, best * relative) ? 'improved' : 'same';
    if (outcome === 'regressed') reasons.push(`${figure}: ${fmt(worst)} → ${fmt(shown)} (limit ${fmt(limit)})`);
    return { ...base, baselineWorst: worst, candidateMedian: shown, limit, outcome };
  });
  const verdict = reasons.length ? 'regressed' : failed === 'improved' || figures.some((f) => f.outcome === 'improved') ? 'improved' : 'same';
  return { name, baselineStatuses: baseline.map((r) => r.status), candidateStatuses: candidate.map((r) => r.status), failures, verdict, figures, reasons };
}

const statuses = (runs: ScenarioResult[]) => runs.map((r) => r.status).join(', ');
const fmt = (x: number | 'never') => (x === 'never' ? x : String(Math.round(x * 100) / 100));

/** Thresholds from a JSON file's text, over the defaults; a mistake names the file and the key. */
export function parseThresholds(text: string, file: string): Thresholds {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${file}: expected an object of figures`);
  const out: Thresholds = structuredClone(DEFAULT_THRESHOLDS);
  for (const [figure, v] of Object.entries(raw)) {
    if (!(figure in out)) throw new Error(`${file}: unknown figure "${figure}"; valid: ${Object.keys(out).join(', ')}`);
    const t = v as { relative?: unknown; slack?: unknown };
    for (const k of ['relative', 'slack'] as const) {
      if (t[k] === undefined) continue;
      if (typeof t[k] !== 'number' || t[k] < 0) throw new Error(`${file}: ${figure}.${k} must be a number ≥ 0`);
      out[figure as Rule['figure']][k] = t[k];
    }
  }
  return out;
}
