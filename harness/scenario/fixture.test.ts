// Chaos.close, the chaos fixture's teardown: a run the test left without a verdict is aborted
// with what the test threw, as vitest recorded it (its first line), so that the summary and the
// terminal say why (CI66's node-crash error said only "the scenario ended before its verdict").
// The run is a stand-in that records the abort: what the abort then does (heal, record the error)
// is ScenarioRun's own, tested with real processes in undo.test.ts and start-failure.test.ts.
import { describe, expect, it } from 'vitest';
import { Chaos } from './fixture.ts';
import type { ScenarioEnv } from './context.ts';

function chaosWithRun(finished: boolean): { chaos: Chaos; aborts: unknown[] } {
  const aborts: unknown[] = [];
  const chaos = new Chaos({} as ScenarioEnv, 'kill-master');
  // The field start() sets; a real start needs a cluster, and close() reads only these two members.
  Object.assign(chaos, { run: { isFinished: finished, abort: async (reason: unknown) => void aborts.push(reason) } });
  return { chaos, aborts };
}

describe('Chaos.close', () => {
  it("aborts an unfinished run with the first line of the test's error", async () => {
    const { chaos, aborts } = chaosWithRun(false);
    await chaos.close({ message: 'redis-cluster-3 never came back\n    at somewhere (x.ts:1:1)' });
    expect(aborts.map((e) => (e as Error).message)).toEqual(['the scenario ended before its verdict: redis-cluster-3 never came back']);
  });

  it('says only that it ended before its verdict when the test threw nothing (it forgot the verdict)', async () => {
    const { chaos, aborts } = chaosWithRun(false);
    await chaos.close(undefined);
    expect(aborts.map((e) => (e as Error).message)).toEqual(['the scenario ended before its verdict']);
  });

  it('leaves a finished run alone, whatever the test threw after its verdict', async () => {
    const { chaos, aborts } = chaosWithRun(true);
    await chaos.close({ message: 'an assertion after the verdict' });
    expect(aborts).toEqual([]);
  });

  it('does nothing when the test never started a run', async () => {
    await expect(new Chaos({} as ScenarioEnv, 'kill-master').close({ message: 'boom' })).resolves.toBeUndefined();
  });
});
