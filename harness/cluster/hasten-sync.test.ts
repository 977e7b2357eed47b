import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.ts';
import { loadManifests, resolveSystem } from '../manifests/index.ts';
import { LocalPlatform } from '../platform/local/local-platform.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { REPO_MANIFESTS } from '../testing/local-cluster.ts';
import { createCluster } from './bootstrap.ts';
import { hastenFirstSync } from './hasten-sync.ts';
import { waitForClusterReady } from './readiness.ts';

const KEY = 'repl-diskless-sync-max-replicas';

// Real redis-servers at the repo's settings: diskless sync, Redis's 5 s delay, no maximum. How much
// sooner the sync ends is a benchmark's figure (bench:suite, HARNESS_HASTEN_SYNC=0 against it);
// here, what is changed and that it is put back.
describe('hastenFirstSync', () => {
  let platform: RunningPlatform;
  const settingOf = async (pod: string) => String((await platform.redis(pod, ['CONFIG', 'GET', KEY]) as string[])[1]);
  const settings = async () => Promise.all((await platform.pods()).map((p) => settingOf(p.name)));
  beforeAll(async () => {
    const system = resolveSystem(await loadManifests(REPO_MANIFESTS));
    platform = await new LocalPlatform({ system, nodeTimeoutOverrideMs: 2_000 }).up();
  }, 60_000);
  afterAll(() => platform?.down());

  it("sets the shape's replicas per master on every pod through the first sync, and puts each pod's own value back once every node serves", async () => {
    const created = await createCluster(platform, { masters: 3, replicasPerMaster: 1 }, { signal: AbortSignal.timeout(30_000) });
    expect(created.pods).toHaveLength(6);
    expect(await settings()).toEqual(Array(6).fill('1'));
    await waitForClusterReady(platform, { masters: 3, replicasPerMaster: 1 }, { timeoutMs: 30_000, agreement: false });
    await created.restore();
    await created.restore(); // idempotent
    expect(await settings()).toEqual(Array(6).fill('0'));
  }, 60_000);

  it('leaves alone a pod whose delay is 0, or that has a maximum of its own', async () => {
    const [a, b] = (await platform.pods()).map((p) => p.name);
    await platform.redis(a!, ['CONFIG', 'SET', 'repl-diskless-sync-delay', '0']);
    await platform.redis(b!, ['CONFIG', 'SET', KEY, '3']);
    try {
      const hastened = await hastenFirstSync(platform, [a!, b!], 1);
      expect(hastened.pods).toEqual([]);
      expect([await settingOf(a!), await settingOf(b!)]).toEqual(['0', '3']);
    } finally {
      await platform.redis(a!, ['CONFIG', 'SET', 'repl-diskless-sync-delay', '5']);
      await platform.redis(b!, ['CONFIG', 'SET', KEY, '0']);
    }
  });
});

// A contract test: only a stub can refuse the SET that puts a value back, after taking the first.
describe('hastenFirstSync, against a pod that will not take its value back', () => {
  it("fails the restore naming the pod and the setting: the scenarios would run at settings other than the manifests'", async () => {
    let sets = 0;
    const platform = {
      redis: async (_pod: string, args: string[]) => {
        if (args[1] === 'GET') return ['repl-diskless-sync', 'yes', 'repl-diskless-sync-delay', '5', KEY, '0'];
        if (sets++ > 0) throw new Error('ERR unknown command');
        return 'OK';
      },
    } as unknown as RunningPlatform;
    const hastened = await hastenFirstSync(platform, ['redis-cluster-0'], 1, { restoreTimeoutMs: 600 });
    expect(hastened.pods).toEqual(['redis-cluster-0']);
    const restored = hastened.restore();
    await expect(restored).rejects.toThrow(HarnessError);
    await expect(restored).rejects.toThrow(/^could not put back redis-cluster-0's repl-diskless-sync-max-replicas 0 after hastening its first sync: /);
  });
});
