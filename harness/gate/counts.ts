/**
 * Runs per side by default. One run per side sets a figure's limit from a single baseline run,
 * and docs/gate.md's healthy spreads exceed such a limit (kill-master p99 7.0–29.8 ms against a
 * limit of 19.7 ms from its 9.7 ms median; recovery 21.5–40.2 s against 37.8 s). With three, one
 * slow candidate run cannot move the candidate's median, and the limit starts from the worst of
 * three baseline runs. On the recorded healthy runs (testdata/healthy-runs.json), healthy against
 * healthy in every split: one run a side raises a false alarm in 36 of 180, two in 59 of 540 (an
 * even median is a mean, which one slow run moves), three in none of 120. A repeat costs about
 * 1.5 min for the seed's five here, both sides at once.
 */
export const DEFAULT_REPEAT = 3;

/**
 * How flaky a scenario may be on both sides, and how often the count rule may then cry wolf.
 * One run in ten failing is far flakier than the record (every recorded healthy run passed, and
 * docs/gate.md's ten healthy gates reported no regression); a false alarm in one comparison of
 * twenty is what a reviewer can still take seriously.
 */
const FLAKY = 0.1;
const FALSE_ALARMS = 0.05;

const choose = (n: number, k: number) => {
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return c;
};

/**
 * The smallest excess of bad runs (candidate over baseline, out of `runs` each) that is a
 * regression: the smallest margin at which two sides that both fail one run in ten, independently,
 * raise a false alarm at most one time in twenty, the all-runs rule of `countOutcome` included.
 * 1 run: 1; 2 to 4 runs: 2; 5 to 10 runs: 3. A margin can never exceed the runs.
 */
export function failureMargin(runs: number): number {
  const p = (k: number) => choose(runs, k) * FLAKY ** k * (1 - FLAKY) ** (runs - k);
  const falseAlarm = (margin: number) => {
    let sum = 0;
    for (let b = 0; b <= runs; b++) for (let c = 0; c <= runs; c++) if (countOutcome(b, runs, c, runs, margin) === 'regressed') sum += p(b) * p(c);
    return sum;
  };
  let margin = 1;
  while (margin < runs && falseAlarm(margin) > FALSE_ALARMS) margin++;
  return margin;
}

/**
 * Runs not passed (failed, errored, interrupted) of each side, compared. Worse by the margin is a
 * regression, and so, whatever the margin, is a candidate bad in every run where the baseline was
 * good at least once: a baseline's own failures never switch the rule off. Improvements mirror it.
 */
export function countOutcome(baseBad: number, baseRuns: number, candBad: number, candRuns: number, margin: number): 'regressed' | 'improved' | 'same' {
  if (candBad - baseBad >= margin || (candBad === candRuns && baseBad < baseRuns)) return 'regressed';
  if (baseBad - candBad >= margin || (baseBad === baseRuns && candBad < candRuns)) return 'improved';
  return 'same';
}
