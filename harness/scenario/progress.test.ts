import { describe, expect, it } from 'vitest';
import { progressLine, runLine, scenarioLine } from './progress.ts';

describe('progress lines', () => {
  it('put every line on the run\'s clock, a scenario\'s own elapsed time beside it', () => {
    const run = 1_000_000;
    const scenario = run + 8_900;
    const line = runLine(run, scenarioLine(scenario, 'kill-master', 'redis-cluster-0 killed', scenario + 2_500), scenario + 2_500);
    expect(line).toBe('[00:11.4] kill-master (+00:02.5): redis-cluster-0 killed');
    expect(progressLine(run, 'setup', 'platform up', run + 61_250)).toBe('[01:01.3] setup: platform up');
  });
});
