import type { ScenarioResult } from '../scenario/result.ts';

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
  baseline: (number | null)[];
  candidate: (number | null)[];
  /** Worst baseline (the top of its spread) and the candidate's median, the two compared. */
  baselineWorst: number | null;
  candidateMedian: number | null;
  limit: number | null;
  outcome: 'regressed' | 'improved' | 'same' | 'not measured';
}

export interface ScenarioComparison {
  name: string;
  baselineStatuses: string[];
  candidateStatuses: string[];
  verdict: 'regressed' | 'improved' | 'same';
  figures: FigureOutcome[];
  reasons: string[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const numbers = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);

/**
 * One scenario, baseline runs against candidate runs (the same seeds). A pass that turns into a
 * fail or an error in any candidate run regresses. A figure regresses only when the candidate's
 * median is worse than the worst baseline run by more than both the relative threshold and the
 * slack: the baseline's own spread is never counted against the candidate.
 */
export function compareScenario(name: string, baseline: ScenarioResult[], candidate: ScenarioResult[], thresholds: Thresholds = DEFAULT_THRESHOLDS): ScenarioComparison {
  const reasons: string[] = [];
  const basePassed = baseline.every((r) => r.status === 'passed');
  const candWorse = candidate.filter((r) => r.status !== 'passed');
  if (basePassed && candWorse.length) reasons.push(`verdict: passed on the baseline, ${candWorse.map((r) => r.status).join('/')} on the candidate`);
  const figures = (Object.keys(thresholds) as Rule['figure'][]).map((figure): FigureOutcome => {
    const b = baseline.map((r) => r.metrics[figure]);
    const c = candidate.map((r) => r.metrics[figure]);
    const bs = numbers(b);
    const cMedian = median(numbers(c));
    if (bs.length === 0 || cMedian === null) return { figure, baseline: b, candidate: c, baselineWorst: null, candidateMedian: cMedian, limit: null, outcome: 'not measured' };
    const worst = Math.max(...bs);
    const best = Math.min(...bs);
    const { relative, slack } = thresholds[figure];
    const limit = worst + Math.max(slack, worst * relative);
    const outcome = cMedian > limit ? 'regressed' : cMedian < best - Math.max(slack, best * relative) ? 'improved' : 'same';
    if (outcome === 'regressed') reasons.push(`${figure}: ${fmt(worst)} → ${fmt(cMedian)} (limit ${fmt(limit)})`);
    return { figure, baseline: b, candidate: c, baselineWorst: worst, candidateMedian: cMedian, limit, outcome };
  });
  const verdict = reasons.length ? 'regressed' : figures.some((f) => f.outcome === 'improved') || (!basePassed && candidate.every((r) => r.status === 'passed')) ? 'improved' : 'same';
  return { name, baselineStatuses: baseline.map((r) => r.status), candidateStatuses: candidate.map((r) => r.status), verdict, figures, reasons };
}

const fmt = (x: number) => String(Math.round(x * 100) / 100);

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
