import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { startLocalPods } from '../testing/local-cluster.ts';
import { createCluster } from './bootstrap.ts';
import { describeHastened, hastenReadiness } from './hasten-ready.ts';
import { parseConfigReply } from './nodes.ts';
import { waitForClusterReady } from './readiness.ts';

const MAX_REPLICAS = 'repl-diskless-sync-max-replicas';
const NODE_TIMEOUT = 'cluster-node-timeout';

// Real redis-servers at the repo's settings (diskless sync, Redis's 5 s delay, no maximum) and a
// node timeout of 2 s. How much sooner the cluster is ready is a benchmark's figure (bench:suite
// and the Kubernetes node, with HARNESS_HASTEN_SYNC=0 or HARNESS_HASTEN_REJOIN=0 against it);
// here, what is changed and that it is put back.
describe('hastenReadiness', () => {
  let platform: RunningPlatform;
  const settingOf = async (pod: string, key: string) => parseConfigReply(await platform.redis(pod, ['CONFIG', 'GET', key]))!.get(key);
  const settings = async () => Promise.all((await platform.pods()).map(async (p) => `${await settingOf(p.name, MAX_REPLICAS)} ${await settingOf(p.name, NODE_TIMEOUT)}`));
  beforeAll(async () => {
    platform = await startLocalPods({ nodeTimeoutOverrideMs: 2_000 });
  }, 60_000);
  afterAll(() => platform?.down());

  it("gives every pod the shape's replicas per master and a 1 s node timeout through the bootstrap, and its own values back once every node serves", async () => {
    const created = await createCluster(platform, { masters: 3, replicasPerMaster: 1 }, { signal: AbortSignal.timeout(30_000) });
    expect(created.settings).toHaveLength(12);
    expect(await settings()).toEqual(Array(6).fill('1 1000'));
    expect(describeHastened(created.settings)).toBe(`hastened by ${MAX_REPLICAS} 1 and ${NODE_TIMEOUT} 1000 on 6 pods, their own values back since`);
    await waitForClusterReady(platform, { masters: 3, replicasPerMaster: 1 }, { timeoutMs: 30_000, agreement: false });
    await created.restore();
    await created.restore(); // idempotent
    expect(await settings()).toEqual(Array(6).fill('0 2000'));
  }, 60_000);

  it('leaves alone a pod whose sync delay is 0, one with a maximum of its own, and one whose node timeout is 1 s already', async () => {
    const [a, b, c] = (await platform.pods()).map((p) => p.name);
    await platform.redis(a!, ['CONFIG', 'SET', 'repl-diskless-sync-delay', '0']);
    await platform.redis(b!, ['CONFIG', 'SET', MAX_REPLICAS, '3']);
    await platform.redis(c!, ['CONFIG', 'SET', NODE_TIMEOUT, '1000']);
    try {
      const hastened = await hastenReadiness(platform, [a!, b!, c!], 1);
      expect(hastened.settings.map((s) => `${s.pod} ${s.key} ${s.own} → ${s.value}`).sort()).toEqual([
        `${a} ${NODE_TIMEOUT} 2000 → 1000`, `${b} ${NODE_TIMEOUT} 2000 → 1000`, `${c} ${MAX_REPLICAS} 0 → 1`,
      ]);
      await hastened.restore();
      expect([await settingOf(a!, MAX_REPLICAS), await settingOf(b!, MAX_REPLICAS), await settingOf(c!, NODE_TIMEOUT)]).toEqual(['0', '3', '1000']);
    } finally {
      await platform.redis(a!, ['CONFIG', 'SET', 'repl-diskless-sync-delay', '5']);
      await platform.redis(b!, ['CONFIG', 'SET', MAX_REPLICAS, '0']);
      await platform.redis(c!, ['CONFIG', 'SET', NODE_TIMEOUT, '2000']);
    }
  });
});

// A contract test: only a stub can refuse the SET that puts a value back, after taking the first.
describe('hastenReadiness, against a pod that will not take a value back', () => {
  it("fails the restore naming the pod and the setting: the scenarios would run at settings other than the manifests'", async () => {
    const platform = {
      redis: async (_pod: string, args: string[]) => {
        if (args[1] === 'GET') return args[2] === NODE_TIMEOUT ? [NODE_TIMEOUT, '15000'] : ['repl-diskless-sync', 'yes', 'repl-diskless-sync-delay', '5', MAX_REPLICAS, '0'];
        if (args[2] === MAX_REPLICAS && args[3] === '0') throw new Error('ERR unknown command');
        return 'OK';
      },
    } as unknown as RunningPlatform;
    const hastened = await hastenReadiness(platform, ['redis-cluster-0'], 1, { restoreTimeoutMs: 600 });
    expect(hastened.settings.map((s) => s.key).sort()).toEqual([NODE_TIMEOUT, MAX_REPLICAS]);
    const restored = hastened.restore();
    await expect(restored).rejects.toThrow(HarnessError);
    await expect(restored).rejects.toThrow(/^could not put back redis-cluster-0's repl-diskless-sync-max-replicas 0 after the bootstrap: /);
  });
});
