import { describe, expect, it } from 'vitest';
import { emptyMetrics, type ScenarioResult } from '../scenario/result.ts';
import { asInterrupted } from './interrupted.ts';

const SIGNAL_AT = Date.parse('2026-12-05T20:00:00.000Z');
const result = (name: string, status: ScenarioResult['status'], startedAt: string, extra: Partial<ScenarioResult> = {}): ScenarioResult => ({
  name, status, startedAt, durationMs: 0, seed: 1, schedule: [], faults: [], checks: [], metrics: emptyMetrics(), error: null, ...extra,
});

describe('the scenarios of an interrupted run', () => {
  it('a start that failed after the signal is interrupted, its error kept as the reason; one that failed before stays an error', () => {
    const after = result('delete-pod-0', 'error', '2026-12-05T20:00:00.400Z', { error: 'its session could not start: fetch failed' });
    const before = result('kill-master', 'error', '2026-12-05T19:59:59.000Z', { error: 'its session could not start: --cluster create failed' });
    expect(asInterrupted([after, before], 'SIGINT', SIGNAL_AT).map((s) => [s.status, s.error])).toEqual([
      ['interrupted', 'interrupted by SIGINT before it ran (its start: its session could not start: fetch failed)'],
      ['error', 'its session could not start: --cluster create failed'],
    ]);
  });

  it('a scenario cut short says by which signal; one that ran and erred, or any in a run not interrupted, is left as recorded', () => {
    const cut = result('kill-master', 'interrupted', '2026-12-05T19:59:30.000Z', { partial: true, durationMs: 12_000 });
    const ran = result('crash-master', 'error', '2026-12-05T20:00:01.000Z', { durationMs: 9_000, error: 'the load never started' });
    expect(asInterrupted([cut, ran], 'SIGTERM', SIGNAL_AT).map((s) => [s.status, s.error])).toEqual([
      ['interrupted', 'interrupted by SIGTERM during the scenario'],
      ['error', 'the load never started'],
    ]);
    const failed = result('delete-pod-0', 'error', '2026-12-05T20:00:00.400Z', { error: 'its session could not start' });
    expect(asInterrupted([failed], null, null)).toEqual([failed]);
  });
});
