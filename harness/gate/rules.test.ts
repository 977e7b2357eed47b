import { describe, expect, it } from 'vitest';
import { emptyMetrics, type ScenarioMetrics, type ScenarioResult } from '../scenario/result.ts';
import { compareScenario, DEFAULT_THRESHOLDS, parseThresholds } from './compare.ts';
import { countOutcome, DEFAULT_REPEAT, failureMargin } from './counts.ts';

const run = (status: ScenarioResult['status'], m: Partial<ScenarioMetrics> = {}): ScenarioResult => ({
  name: 'kill-master', status, startedAt: '', durationMs: 30_000, seed: 1, schedule: [], faults: [], checks: [], error: null,
  metrics: { ...emptyMetrics(), failoverMs: 19_500, recoveryMs: 25_000, maxUnavailableMs: 19_600, lostAcknowledged: 0, p99LatencyMs: 5, ...m },
});
const runs = (n: number, status: ScenarioResult['status'], m: Partial<ScenarioMetrics> = {}) => Array.from({ length: n }, () => run(status, m));
const figure = (c: ReturnType<typeof compareScenario>, name: string) => c.figures.find((f) => f.figure === name)!;

describe('the gate\'s comparison rules', () => {
  it('finds no regression in a candidate within the baseline\'s own spread', () => {
    const c = compareScenario('kill-master', [run('passed'), run('passed', { failoverMs: 21_000 })], [run('passed', { failoverMs: 21_500 }), run('passed', { failoverMs: 20_000 })]);
    expect(c.verdict).toBe('same');
    expect(c.reasons).toEqual([]);
  });

  it('flags a failover clearly slower than the worst baseline, beyond threshold and slack', () => {
    const c = compareScenario('kill-master', [run('passed'), run('passed', { failoverMs: 20_500 })], [run('passed', { failoverMs: 31_000 }), run('passed', { failoverMs: 32_000 })]);
    expect(c.verdict).toBe('regressed');
    expect(c.reasons).toEqual(['failoverMs: 20500 → 31500 (limit 25625)']);
  });

  it('flags any acknowledged write lost where the baseline lost none, and a pass turned into an error', () => {
    expect(compareScenario('x', [run('passed')], [run('passed', { lostAcknowledged: 1 })]).reasons).toEqual(['lostAcknowledged: 0 → 1 (limit 0)']);
    expect(compareScenario('x', [run('passed')], [run('error')]).reasons).toEqual(['not passed in 1/1 candidate runs (error) against 0/1 baseline runs']);
  });

  it('reports an improvement instead of hiding it', () => {
    expect(compareScenario('x', [run('passed', { failoverMs: 40_000 })], [run('passed', { failoverMs: 19_000 })]).verdict).toBe('improved');
    expect(compareScenario('x', [run('failed')], [run('passed')]).verdict).toBe('improved');
    expect(compareScenario('x', runs(3, 'failed'), [run('failed'), run('failed'), run('passed')]).verdict).toBe('improved');
  });

  it('takes thresholds from JSON over the defaults, and names the file and key on a mistake', () => {
    expect(parseThresholds('{"failoverMs":{"relative":0.1}}', 't.json').failoverMs).toEqual({ relative: 0.1, slack: DEFAULT_THRESHOLDS.failoverMs.slack });
    expect(() => parseThresholds('{"speed":{}}', 't.json')).toThrow('t.json: unknown figure "speed"; valid: failoverMs, recoveryMs, maxUnavailableMs, lostAcknowledged, p99LatencyMs');
    expect(() => parseThresholds('{"failoverMs":{"slack":-1}}', 't.json')).toThrow('t.json: failoverMs.slack must be a number ≥ 0');
    expect(() => parseThresholds('nope', 't.json')).toThrow(/^t\.json: not JSON/);
  });
});

describe('failure counts', () => {
  it('a margin the repeat justifies: two flaky sides (one run in ten) cry wolf at most one time in twenty', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(failureMargin)).toEqual([1, 2, 2, 2, 3, 3, 3]);
    expect(failureMargin(DEFAULT_REPEAT)).toBe(2);
  });

  it('a candidate failing every run regresses whenever the baseline passed one, whatever the margin', () => {
    expect(countOutcome(2, 3, 3, 3, 99)).toBe('regressed');
    expect(countOutcome(3, 3, 3, 3, 1)).toBe('same');
    expect(countOutcome(3, 3, 2, 3, 99)).toBe('improved');
    expect(countOutcome(0, 3, 1, 3, 2)).toBe('same');
    expect(countOutcome(1, 5, 4, 5, 3)).toBe('regressed');
  });

  it('hiding trick 1, one failed baseline run: a candidate failing every run is still a regression', () => {
    const c = compareScenario('kill-master', [run('passed'), run('failed'), run('passed')], runs(3, 'failed'));
    expect(c.verdict).toBe('regressed');
    expect(c.failures).toEqual({ baseline: 1, candidate: 3, margin: 2 });
    expect(c.reasons).toEqual(['not passed in 3/3 candidate runs (failed, failed, failed) against 1/3 baseline runs']);
    expect(compareScenario('x', [run('error'), run('passed'), run('passed')], [run('failed'), run('error'), run('failed')]).verdict).toBe('regressed');
  });

  it('failing by the margin more than the baseline regresses even when the baseline failed too; less is noise', () => {
    expect(compareScenario('x', runs(3, 'passed'), [run('failed'), run('passed'), run('failed')]).verdict).toBe('regressed');
    expect(compareScenario('x', [...runs(4, 'passed'), run('failed')], [...runs(4, 'failed'), run('passed')]).reasons).toEqual(['not passed in 4/5 candidate runs (failed, failed, failed, failed, passed) against 1/5 baseline runs']);
    expect(compareScenario('x', runs(3, 'passed'), [run('passed'), run('failed'), run('passed')]).verdict).toBe('same');
    expect(compareScenario('x', [run('failed'), run('passed'), run('passed')], [run('failed'), run('failed'), run('passed')]).verdict).toBe('same');
  });
});

describe('missing figures', () => {
  it('hiding trick 2, a candidate run that never recovered: +∞ in the median, shown as never, never dropped', () => {
    const base = [run('passed', { recoveryMs: 25_000 }), run('passed', { recoveryMs: 26_000 }), run('passed', { recoveryMs: 24_000 })];
    // Dropped, the two nulls would have left 25 s, a median within the limit.
    const c = compareScenario('kill-master', base, [run('passed', { recoveryMs: 25_000 }), run('passed', { recoveryMs: null }), run('passed', { recoveryMs: null })]);
    expect(c.verdict).toBe('regressed');
    expect(figure(c, 'recoveryMs')).toMatchObject({ candidateMedian: 'never', candidateMissing: 2, baselineMissing: 0, limit: 39_000, outcome: 'regressed' });
    expect(c.reasons).toEqual(['recoveryMs: 26000 → never (limit 39000)']);
    // One null of three is the worst of the three: the median moves up to the slower measured run.
    const one = compareScenario('kill-master', base, [run('passed', { recoveryMs: 25_000 }), run('passed', { recoveryMs: null }), run('passed', { recoveryMs: 30_000 })]);
    expect(figure(one, 'recoveryMs')).toMatchObject({ candidateMedian: 30_000, outcome: 'same' });
    expect(compareScenario('x', base, [run('passed', { recoveryMs: null })]).verdict).toBe('regressed');
  });

  it('never failed over where most baseline runs did: a regression; where the baseline only sometimes did, not judged', () => {
    const c = compareScenario('kill-master', [run('passed'), run('passed', { failoverMs: 20_000 }), run('passed', { failoverMs: null })], [run('passed'), ...runs(2, 'passed', { failoverMs: null })]);
    expect(figure(c, 'failoverMs')).toMatchObject({ limit: 25_000, candidateMedian: 'never', candidateMissing: 2, outcome: 'regressed' });
    expect(c.reasons).toEqual(['failoverMs: 20000 → never (limit 25000)']);
    // Recorded: a healthy delete-pod-1 run fails over now and then (testdata/healthy-runs.json).
    const sometimes = compareScenario('delete-pod-1', [run('passed', { failoverMs: 19_929 }), ...runs(2, 'passed', { failoverMs: null })], runs(3, 'passed', { failoverMs: null }));
    expect(figure(sometimes, 'failoverMs')).toMatchObject({ limit: null, outcome: 'not measured' });
    expect(sometimes.verdict).toBe('same');
  });

  it('a null on the baseline side never tightens the limit: the same pattern on both sides is no regression', () => {
    // Most baseline runs never got there: no candidate median can be worse than its own.
    const mostly = compareScenario('x', [run('failed', { recoveryMs: null }), run('passed', { recoveryMs: 20_000 }), run('failed', { recoveryMs: null })],
      [run('failed', { recoveryMs: null }), run('failed', { recoveryMs: null }), run('passed', { recoveryMs: 60_000 })]);
    expect(figure(mostly, 'recoveryMs')).toMatchObject({ limit: null, outcome: 'not measured' });
    expect(mostly.verdict).toBe('same');
    // A few never: the limit is the worst measured run's, and a slower candidate still regresses.
    const few = [run('passed', { recoveryMs: 20_000 }), run('passed', { recoveryMs: 21_000 }), run('failed', { recoveryMs: null })];
    expect(figure(compareScenario('x', few, [run('passed', { recoveryMs: 21_500 }), run('failed', { recoveryMs: null }), run('passed', { recoveryMs: 22_000 })]), 'recoveryMs').outcome).toBe('same');
    expect(compareScenario('x', few, runs(3, 'passed', { recoveryMs: 40_000 })).reasons).toEqual(['recoveryMs: 21000 → 40000 (limit 31500)']);
  });

  it('a figure no baseline run produced is not measured, whatever the candidate did', () => {
    const c = compareScenario('memory-limit', runs(3, 'passed', { failoverMs: null }), [run('passed', { failoverMs: 5000 }), ...runs(2, 'passed', { failoverMs: null })]);
    expect(figure(c, 'failoverMs')).toMatchObject({ outcome: 'not measured', limit: null, candidateMedian: null });
    expect(c.verdict).toBe('same');
  });
});
