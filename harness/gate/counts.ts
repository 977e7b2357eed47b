/**
 * How flaky a scenario may be on both sides, and how often the count rule may then cry wolf.
 * One run in ten failing is far flakier than the record (every recorded healthy run passed, and
 * the README's ten healthy gates reported no regression); a false alarm in one comparison of
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
