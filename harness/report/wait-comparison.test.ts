import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../checkers/index.ts';
import { emptyMetrics, type ScenarioResult } from '../scenario/result.ts';
import { compareWait, lossFigures, waitComparisonHtml, waitComparisonMarkdown, type RecordedRun } from './wait-comparison.ts';

const scenario = (name: string, status: ScenarioResult['status'], atMs: number): ScenarioResult => ({
  name, status, startedAt: '', durationMs: 1, seed: 1, schedule: [], checks: [], metrics: { ...emptyMetrics(), maxUnavailableMs: atMs + 1000 }, error: null,
  faults: [{ kind: name === 'kill-master' ? 'kill' : 'partition', target: 'redis-cluster-0', role: 'master', atMs }],
});
const check = (name: string, details: Record<string, unknown>): CheckResult => ({ name, valid: true, message: '', details });
const lost = (ackMs: number, window?: string) => ({ key: 'list', value: ackMs, process: 1, invokeMs: ackMs - 1, ackMs, seenMs: null, ...(window ? { window } : {}) });

// Recorded as the checks write them: a kill that lost 3 INCRs (untimed) and 2 appends, and a
// partition whose minority window lost 4 INCRs (the counter check judged them indeterminate) and 1 append.
const without: RecordedRun = {
  summary: { runId: 'r-without', nodeTimeoutOverrideMs: 3000, manifestNodeTimeoutMs: 5000, waitReplicas: null, scenarios: [scenario('kill-master', 'failed', 2000), scenario('partition-master', 'passed', 2500)] },
  checks: {
    'kill-master': [
      check('counter', { acknowledged: 100, indeterminate: 5, lostAcknowledged: 3 }),
      check('append', { applicable: true, acknowledged: 90, indeterminate: 4, counts: { lost: 2 }, lost: [lost(1980), lost(2010)], minorityWindow: { lostAcknowledged: 0, lost: [], lastAckMs: null } }),
      check('minority-writes', { applicable: false }),
    ],
    'partition-master': [
      check('counter', { acknowledged: 200, indeterminate: 10, lostAcknowledged: 0 }),
      check('append', { applicable: true, acknowledged: 150, indeterminate: 2, counts: { lost: 0 }, lost: [], minorityWindow: { lostAcknowledged: 1, lost: [lost(4000, 'redis-cluster-0')], lastAckMs: 4000 } }),
      check('minority-writes', { applicable: true, partitions: [{ cutMs: 2500, lostAcknowledged: 4, outsideWindow: 0, lastMinorityAckAfterCutMs: 3200 }] }),
    ],
  },
};
const withWait: RecordedRun = {
  summary: { runId: 'r-with', nodeTimeoutOverrideMs: 3000, manifestNodeTimeoutMs: 5000, waitReplicas: { replicas: 1, timeoutMs: 500 }, scenarios: [scenario('kill-master', 'passed', 2000)] },
  checks: {
    'kill-master': [
      check('counter', { acknowledged: 50, indeterminate: 9, lostAcknowledged: 0 }),
      check('append', { applicable: true, acknowledged: 40, indeterminate: 8, counts: { lost: 0 }, lost: [], minorityWindow: { lostAcknowledged: 0, lost: [], lastAckMs: null } }),
    ],
  },
};

describe('the WAIT comparison', () => {
  it("takes each scenario's figures from its checks: INCRs lost in a minority window move back from indeterminate to acknowledged and lost", () => {
    expect(lossFigures(without.summary.scenarios[1]!, without.checks['partition-master']!, null)).toEqual({
      scenario: 'partition-master', waitReplicas: null, status: 'passed',
      acknowledged: 204 + 150, lost: 4 + 1, lostAppends: 1, info: 6 + 2,
      // The lost append at 4000 ms and the last lost INCR at 2500 + 3200 ms, after the cut at 2500 ms.
      window: { firstMs: 1500, lastMs: 3200, complete: true }, maxUnavailableMs: 3500,
    });
    // A kill's lost INCRs have no time; its lost appends do, one acknowledged before the kill.
    expect(lossFigures(without.summary.scenarios[0]!, without.checks['kill-master']!, null)).toMatchObject({ acknowledged: 190, lost: 5, lostAppends: 2, info: 9, window: { firstMs: -20, lastMs: 10, complete: true } });
  });

  it('puts both runs side by side per scenario, in Markdown and HTML, a scenario missing from a run as not run', () => {
    const c = compareWait(without, withWait, ['kill-master', 'partition-master']);
    expect(c).toMatchObject({ waitReplicas: 1, nodeTimeoutMs: 3000, runs: { without: 'r-without', with: 'r-with' } });
    const md = waitComparisonMarkdown(c);
    expect(md).toContain('| kill-master | no | failed | 190 | 5 (2 appends) | -20…10 ms | 9 | 3000 ms |');
    expect(md).toContain('| kill-master | WAIT 1 | passed | 90 | 0 | — | 17 | 3000 ms |');
    expect(md).toContain('| partition-master | no | passed | 354 | 5 (1 append) | 1500…3200 ms | 8 | 3500 ms |');
    expect(md).toContain('| partition-master | WAIT 1 | not run | — | — | — | — | — |');
    expect(md).toContain('does not make Redis a strongly consistent store');
    expect(waitComparisonHtml(c)).toContain('<tr><td>kill-master</td><td>WAIT 1</td><td>passed</td><td>90</td><td>0</td><td>—</td><td>17</td><td>3000 ms</td></tr>');
  });

  it('marks a span taken from a capped list of lost appends, and a kill that lost only INCRs as untimed', () => {
    const capped = [check('append', { applicable: true, acknowledged: 9, indeterminate: 0, counts: { lost: 30 }, lost: [lost(2100), lost(2200)], minorityWindow: { lostAcknowledged: 0, lost: [], lastAckMs: null } })];
    const c = compareWait({ ...without, checks: { 'kill-master': capped } }, { ...withWait, checks: { 'kill-master': [check('counter', { acknowledged: 5, indeterminate: 0, lostAcknowledged: 2 })] } }, ['kill-master']);
    const md = waitComparisonMarkdown(c);
    expect(md).toContain('| kill-master | no | failed | 9 | 30 (30 appends) | 100…200 ms* | 0 | 3000 ms |');
    expect(md).toContain('| kill-master | WAIT 1 | passed | 5 | 2 | untimed | 0 | 3000 ms |');
    // In one list's minority window, the first listed and the check's lastAckMs span all of them.
    const window = (perKey: { lostInMinorityWindow: number }[]) => [check('append', { applicable: true, acknowledged: 9, indeterminate: 0, counts: { lost: 0 }, lost: [],
      minorityWindow: { lostAcknowledged: 30, lost: [lost(2600, 'redis-cluster-0')], lastAckMs: 5000 }, perKey })];
    expect(lossFigures(without.summary.scenarios[1]!, window([{ lostInMinorityWindow: 30 }, { lostInMinorityWindow: 0 }]), null).window).toEqual({ firstMs: 100, lastMs: 2500, complete: true });
    expect(lossFigures(without.summary.scenarios[1]!, window([{ lostInMinorityWindow: 20 }, { lostInMinorityWindow: 10 }]), null).window).toEqual({ firstMs: 100, lastMs: 2500, complete: false });
  });
});
