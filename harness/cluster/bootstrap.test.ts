import { describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.ts';
import { SEED_SHAPE } from '../manifests/index.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { createCluster } from './bootstrap.ts';

// A contract test: only a stub can stop redis-cli at a chosen instant. With real processes the same
// path runs in harness/cli/interrupt.test.ts ("during setup") and worker-death.test.ts.
function platformWhere(redisCli: (signal: AbortSignal | undefined) => { exitCode: number; stdout: string; stderr: string }, unreadyLooks = 0): RunningPlatform {
  let looks = 0;
  // Pod 2 not ready for the first `unreadyLooks` lists: a readiness probe flapping on a busy node.
  const pods = () => Array.from({ length: 6 }, (_, i) => ({ name: `redis-cluster-${i}`, ip: `10.0.0.${i + 2}`, ready: i !== 2 || looks > unreadyLooks }));
  return {
    info: { clientPort: 6379 },
    pods: async () => (looks++, pods()),
    redisCli: async (_pod: string, _args: string[], options: { signal?: AbortSignal }) => redisCli(options.signal),
  } as unknown as RunningPlatform;
}

describe('createCluster', () => {
  it('aborted while redis-cli runs: throws the abort\'s reason, not "create failed (exit -1)"', async () => {
    const stopper = new AbortController();
    const platform = platformWhere(() => {
      stopper.abort(new HarnessError('the run is ending'));
      return { exitCode: -1, stdout: '>>> Sending CLUSTER MEET messages to join the cluster', stderr: '' };
    });
    await expect(createCluster(platform, SEED_SHAPE, { signal: stopper.signal })).rejects.toThrow(/^the run is ending$/);
  });

  it('a create that fails on its own is still named, with redis-cli\'s last words', async () => {
    const platform = platformWhere(() => ({ exitCode: 1, stdout: '', stderr: '[ERR] Node 10.0.0.2:6379 is not empty.' }));
    await expect(createCluster(platform, SEED_SHAPE, { signal: new AbortController().signal })).rejects.toThrow('redis-cli --cluster create failed (exit 1): [ERR] Node 10.0.0.2:6379 is not empty.');
  });

  it('a pod whose readiness flapped after the platform came up is waited for, then the create runs', async () => {
    let created = 0;
    const platform = platformWhere(() => (created++, { exitCode: 0, stdout: '[OK] All 16384 slots covered.', stderr: '' }), 2);
    await createCluster(platform, SEED_SHAPE, { signal: new AbortController().signal });
    expect(created).toBe(1);
  });

  it('a pod that stays unready: the wait ends at its bound, naming the pod, and redis-cli never runs', async () => {
    let created = 0;
    const platform = platformWhere(() => (created++, { exitCode: 0, stdout: '', stderr: '' }), Infinity);
    await expect(createCluster(platform, SEED_SHAPE, { signal: new AbortController().signal, podsReadyTimeoutMs: 600 }))
      .rejects.toThrow(/^cannot bootstrap: every Redis pod ready with an IP: not reached within 600 ms \(last: pods not ready: redis-cluster-2\)$/);
    expect(created).toBe(0);
  });
});
