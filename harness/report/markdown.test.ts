import { describe, expect, it } from 'vitest';
import { emptyMetrics } from '../scenario/result.ts';
import { summaryMarkdown } from './markdown.ts';
import type { RunSummary } from './summary.ts';

describe('the Markdown verdict table', () => {
  it('lists every scenario with its verdict and the failing checks', () => {
    const summary = {
      runId: 'r', platform: 'kind', manifests: 'manifests', seed: 3, nodeTimeoutOverrideMs: null, manifestNodeTimeoutMs: 15000, redisConfig: { 'repl-diskless-sync-delay': '0' }, interruptedBy: null, parallel: 1,
      redisImage: 'redis:7.0.15-alpine', redisServerVersion: '7.0.15', isolation: 'namespaces', startedAt: '', finishedAt: '', status: 'failed', exitCode: 1, error: null,
      timings: { platformUpMs: 1, bootstrapMs: 1, appUpMs: 1 },
      scenarios: [
        { name: 'delete-pod-0', status: 'passed', startedAt: '', durationMs: 1, seed: 3, schedule: [], faults: [], checks: [], metrics: { ...emptyMetrics(), acknowledged: 10 }, error: null },
        { name: 'kill-master', status: 'failed', startedAt: '', durationMs: 1, seed: 3, schedule: [], faults: [], metrics: { ...emptyMetrics(), lostAcknowledged: 3, failoverMs: 20100 }, error: null,
          shards: [
            { key: 'hits', slot: 4994, masterAtStart: 'redis-cluster-0', acknowledged: 5, failed: 1, indeterminate: 0, lostAcknowledged: 3, maxUnavailableMs: 20000 },
            { key: 'shard-1-1', slot: 10773, masterAtStart: 'redis-cluster-1', acknowledged: 5, failed: 0, indeterminate: 0, lostAcknowledged: 0, maxUnavailableMs: 30 },
          ],
          checks: [{ name: 'counter', valid: false, message: '3 acknowledged increments lost | see history' }] },
      ],
    } satisfies RunSummary;
    const md = summaryMarkdown(summary);
    expect(md).toContain('### redis-chaos: ❌ failed (exit 1)');
    expect(md).toContain('node timeout 15000 ms (manifests) · --redis-config repl-diskless-sync-delay=0, isolation namespaces, seed 3');
    expect(md).toContain('| delete-pod-0 | ✅ passed | 10 | — | — | — | — |  |');
    expect(md).toContain('| kill-master | ❌ failed | 0 | 3 | 20100 ms | — | redis-cluster-0: 20000 ms, redis-cluster-1: 30 ms | counter: 3 acknowledged increments lost \\| see history |');
  });

  it('names the keys that lost writes, with their slots, and counts each shard\'s keys', () => {
    const keys = Array.from({ length: 16 }, (_, i) => ({ key: `s${i * 1000}{x}`, slot: i * 1000, masterAtStart: i < 8 ? 'redis-cluster-0' : 'redis-cluster-1', acknowledged: 50, lostAcknowledged: i === 9 ? 4 : 0, valid: i === 9 ? false : true }));
    const md = summaryMarkdown({
      runId: 'r', platform: 'local', manifests: 'manifests', seed: 3, nodeTimeoutOverrideMs: null, manifestNodeTimeoutMs: 15000, redisConfig: {}, interruptedBy: null, parallel: 1,
      redisImage: null, redisServerVersion: null, isolation: null, startedAt: '', finishedAt: '', status: 'failed', exitCode: 1, error: null, timings: { platformUpMs: 1, bootstrapMs: 1, appUpMs: 1 },
      scenarios: [{ name: 'kill-master', status: 'failed', startedAt: '', durationMs: 1, seed: 3, schedule: [], faults: [], metrics: emptyMetrics(), error: null, checks: [], keys,
        shards: [
          { key: 's0{x}', slot: 0, masterAtStart: 'redis-cluster-0', keys: 8, acknowledged: 400, failed: 0, indeterminate: 0, lostAcknowledged: 0, maxUnavailableMs: 30 },
          { key: 's8000{x}', slot: 8000, masterAtStart: 'redis-cluster-1', keys: 8, acknowledged: 400, failed: 0, indeterminate: 0, lostAcknowledged: 4, maxUnavailableMs: 40 },
        ] }],
    });
    expect(md).toContain('| redis-cluster-0 (8 keys): 30 ms, redis-cluster-1 (8 keys): 40 ms |');
    expect(md).toContain('- **kill-master**: 1 of 16 keys failed: `s9000{x}` (slot 9000, redis-cluster-1, 4 lost)');
  });

  it('shows the appends beside the INCRs when both workloads ran, and a failing append check', () => {
    const appends = { attempted: 900, acknowledged: 880, failed: 5, indeterminate: 15, lostAcknowledged: 2, rolledBack: 0, inMinorityWindow: 0 };
    const base = {
      runId: 'r', platform: 'local', manifests: 'manifests', seed: 3, nodeTimeoutOverrideMs: null, manifestNodeTimeoutMs: 15000, redisConfig: {}, interruptedBy: null, parallel: 1,
      redisImage: null, redisServerVersion: null, isolation: null, startedAt: '', finishedAt: '', status: 'failed', exitCode: 1, error: null, timings: { platformUpMs: 1, bootstrapMs: 1, appUpMs: 1 },
    } as const;
    const md = summaryMarkdown({ ...base, scenarios: [
      { name: 'kill-master', status: 'failed', startedAt: '', durationMs: 1, seed: 3, workload: 'both', schedule: [], faults: [], error: null,
        metrics: { ...emptyMetrics(), acknowledged: 1200, lostAcknowledged: 0, appends }, checks: [{ name: 'append', valid: false, message: '2 acknowledged appends lost' }] },
      { name: 'delete-pod-0', status: 'passed', startedAt: '', durationMs: 1, seed: 3, workload: 'counter', schedule: [], faults: [], error: null, metrics: { ...emptyMetrics(), acknowledged: 10 }, checks: [] },
    ] });
    expect(md).toContain('| scenario | verdict | acked INCRs | lost acked | acked appends | lost appends | failover |');
    expect(md).toContain('| kill-master | ❌ failed | 1200 | 0 | 880 | 2 | — | — | — | append: 2 acknowledged appends lost |');
    expect(md).toContain('| delete-pod-0 | ✅ passed | 10 | — | — | — | — | — | — |  |');
    // The counter alone: the table keeps its columns.
    expect(summaryMarkdown({ ...base, scenarios: [] })).toContain('| scenario | verdict | acked INCRs | lost acked | failover |');
  });
});
