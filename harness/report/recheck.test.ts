import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_CHECKERS, type Checker } from '../checkers/index.ts';
import type { ScenarioResult } from '../scenario/result.ts';
import { evidence, fault, killedAndRecovered } from '../testing/evidence.ts';
import { recordRun, type RecordedScenario } from '../testing/recorded-run.ts';
import { seedNodes, topologyOf } from '../testing/topologies.ts';
import { recheckLines, recheckRun } from './recheck.ts';
import type { RunSummary } from './summary.ts';

/** A kill of pod 0's master, restarted, and a history every check passes. */
function healthy(name: string): RecordedScenario {
  const { samples: _samples, ...e } = killedAndRecovered();
  const t = topologyOf(seedNodes());
  return { name, evidence: e, sampled: [0, 250, 500].map((tMs) => ({ t, tMs })), sampling: { counterSlot: 0, watchSlots: [0, 5461, 10923] } };
}

const json = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T;
async function edit<T>(file: string, change: (v: T) => void): Promise<void> {
  const v = await json<T>(file);
  change(v);
  await writeFile(file, JSON.stringify(v));
}
const evidenceOf = (runDir: string, name: string) => path.join(runDir, 'scenarios', name, 'evidence.json');

describe('npm run check: a recorded run judged again by the checkers of today', () => {
  it('gives a healthy run its recorded verdict, and writes the new summary and checks beside the old', async () => {
    const runDir = await recordRun([healthy('kill-master')]);
    const { summary, scenarios } = await recheckRun(runDir);
    const recorded = await json<RunSummary>(path.join(runDir, 'summary.json'));
    expect(recorded.scenarios[0]!.status).toBe('passed');
    expect(summary).toMatchObject({ status: 'passed', exitCode: 0, runId: recorded.runId, recheck: { of: 'summary.json', notRejudged: [] } });
    expect(summary.scenarios).toEqual(recorded.scenarios);
    expect(scenarios[0]!.changed).toEqual([]);
    expect(await json(path.join(runDir, 'summary.recheck.json'))).toEqual(summary);
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(Object.keys(recorded)));
    const dir = path.join(runDir, 'scenarios', 'kill-master');
    expect(await json(path.join(dir, 'checks.recheck.json'))).toEqual(await json(path.join(dir, 'checks.json')));
    expect(recheckLines(scenarios)).toEqual(['  kill-master  passed → passed']);
  });

  it('fails the same run once the final read lacks two acknowledged increments, naming the counter', async () => {
    const runDir = await recordRun([healthy('kill-master')]);
    await edit<{ finalRead: number }>(evidenceOf(runDir, 'kill-master'), (e) => {
      e.finalRead = 8;
    });
    const { summary, scenarios } = await recheckRun(runDir);
    expect(summary).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(summary.scenarios[0]!.metrics.lostAcknowledged).toBe(2);
    expect(scenarios[0]!.changed).toEqual([{ name: 'counter', before: true, after: false, message: expect.stringMatching(/lost|acknowledged/) }]);
    const lines = recheckLines(scenarios);
    expect(lines[0]).toBe('  kill-master  passed → failed');
    expect(lines[1]).toBe(`${' '.repeat(17)}counter: pass → fail — 2 acknowledged increments lost: final read 8 − baseline 0 = 8, but 10 INCRs were acknowledged`);
    // The recorded verdict stays as it was.
    expect((await json<RunSummary>(path.join(runDir, 'summary.json'))).status).toBe('passed');
  });

  it('fails it when evidence.expect arms a check the recorded run does not meet', async () => {
    const runDir = await recordRun([healthy('kill-master')]);
    await edit<{ expect: Record<string, unknown> }>(evidenceOf(runDir, 'kill-master'), (e) => {
      e.expect.promotion = 'promoted';
    });
    const { summary, scenarios } = await recheckRun(runDir);
    expect(summary.exitCode).toBe(1);
    expect(scenarios[0]!.changed.map((c) => [c.name, c.before, c.after])).toEqual([['replica-promotion', true, false]]);
  });

  it('judges with the checkers it is given: a checker changed since the run, or one added', async () => {
    const runDir = await recordRun([healthy('kill-master')]);
    const stricter: Checker = () => ({ valid: 'unknown', message: 'a stricter counter cannot tell', details: {} });
    const added: Checker = () => ({ valid: true, message: 'new', details: {} });
    const { summary, scenarios } = await recheckRun(runDir, { checkers: { ...SEED_CHECKERS, counter: stricter, added } });
    expect(summary).toMatchObject({ status: 'error', exitCode: 2 });
    expect(scenarios[0]!.changed).toEqual([
      { name: 'counter', before: true, after: 'unknown', message: 'a stricter counter cannot tell' },
      { name: 'added', before: null, after: true, message: 'new' },
    ]);
  });

  it('keeps the recorded verdict of a scenario that ended in error with no evidence; --scenario re-judges only some', async () => {
    const runDir = await recordRun([healthy('kill-master'), healthy('delete-pod-0')]);
    await rm(evidenceOf(runDir, 'delete-pod-0'));
    await edit<RunSummary>(path.join(runDir, 'summary.json'), (s) => {
      Object.assign(s.scenarios[1]!, { status: 'error', checks: [], error: 'redis-cluster-0 did not come back' } satisfies Partial<ScenarioResult>);
    });
    const all = await recheckRun(runDir);
    expect(all.summary).toMatchObject({ status: 'error', exitCode: 2, recheck: { notRejudged: [{ name: 'delete-pod-0', reason: 'no evidence' }] } });
    expect(all.summary.scenarios[1]).toMatchObject({ status: 'error', error: 'redis-cluster-0 did not come back' });
    expect(recheckLines(all.scenarios)).toEqual(['  kill-master   passed → passed', '  delete-pod-0  error (not re-judged: no evidence)']);

    const one = await recheckRun(runDir, { only: ['kill-master'] });
    expect(one.summary).toMatchObject({ status: 'passed', exitCode: 0 });
    expect(one.summary.scenarios.map((s) => s.name)).toEqual(['kill-master']);
    await expect(recheckRun(runDir, { only: ['delete-pod-0'], label: 'reports/x' })).rejects.toThrow('reports/x: no selected scenario has an evidence.json: the run predates evidence.json');
    await expect(recheckRun(runDir, { only: ['nope'], label: 'reports/x' })).rejects.toThrow('--scenario nope: not in reports/x (it has kill-master, delete-pod-0)');
  });

  it('keeps an interrupted scenario interrupted: its history was cut short, so its checks decide nothing', async () => {
    const runDir = await recordRun([healthy('kill-master')]);
    await edit<RunSummary>(path.join(runDir, 'summary.json'), (s) => {
      Object.assign(s, { status: 'interrupted', exitCode: 130, interruptedBy: 'SIGINT' });
      Object.assign(s.scenarios[0]!, { status: 'interrupted', partial: true, error: 'interrupted by SIGINT during the scenario' });
    });
    const { summary, scenarios } = await recheckRun(runDir);
    expect(summary).toMatchObject({ status: 'interrupted', exitCode: 2 });
    expect(summary.scenarios[0]).toMatchObject({ status: 'interrupted', partial: true, error: 'interrupted by SIGINT during the scenario' });
    expect(recheckLines(scenarios)[0]).toBe('  kill-master  interrupted → interrupted  (a history cut short: its checks decide nothing)');
  });

  it('refuses a folder that is missing, is not a run, or predates evidence.json, in one line naming it', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'not-a-run-'));
    await expect(recheckRun(path.join(empty, 'nope'), { label: 'reports/nope' })).rejects.toThrow(/^reports\/nope: no such folder$/);
    await expect(recheckRun(empty, { label: 'reports/x' })).rejects.toThrow(/^reports\/x: not a run folder \(it has no summary\.json\)$/);
    const old = await recordRun([healthy('kill-master')]);
    await rm(evidenceOf(old, 'kill-master'));
    await expect(recheckRun(old, { label: 'reports/old' })).rejects.toThrow(/^reports\/old: no scenario has an evidence\.json: the run predates evidence\.json \(or ended before any verdict\) and cannot be re-checked$/);
    await expect(readFile(path.join(old, 'summary.recheck.json'))).rejects.toThrow(/ENOENT/);
  });
});
