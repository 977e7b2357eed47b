import { describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.ts';
import { SEED_SHAPE } from '../manifests/index.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { createCluster } from './bootstrap.ts';

// A contract test: only a stub can stop redis-cli at a chosen instant. With real processes the same
// path runs in harness/cli/interrupt.test.ts ("during setup") and worker-death.test.ts.
function platformWhere(redisCli: (signal: AbortSignal | undefined) => { exitCode: number; stdout: string; stderr: string }): RunningPlatform {
  const pods = Array.from({ length: 6 }, (_, i) => ({ name: `redis-cluster-${i}`, ip: `10.0.0.${i + 2}`, ready: true }));
  return {
    info: { clientPort: 6379 },
    pods: async () => pods,
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
});
