// A scenario's targets, asked of a real cluster whose nodes answer late, as on a busy CI machine:
// CI saw node-crash end in error before its fault, its counter's master not found under load.
import { afterEach, describe, expect, it } from 'vitest';
import { masterOfSlot, selfEntries } from '../cluster/index.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { startLocalCluster } from '../testing/local-cluster.ts';
import { counterMaster, mastersBySlot, replicasOfMaster } from './topology.ts';

let platform: RunningPlatform | null = null;
afterEach(async () => {
  await platform?.down();
  platform = null;
});

/** The platform, with `pod`'s next `late()` answers timing out as a loaded node's do. */
function answeringLate(target: RunningPlatform, pod: string, late: () => boolean): RunningPlatform {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop !== 'redis') return Reflect.get(t, prop, receiver) as unknown;
      return async (name: string, args: string[], options?: { timeoutMs?: number }) => {
        if (name === pod && late()) throw new Error(`${args[0]}: no reply within ${options?.timeoutMs ?? 1000} ms`);
        return t.redis(name, args, options);
      };
    },
  });
}

describe("a scenario's targets under late answers", () => {
  it('finds the counter\'s master, the masters and a master\'s replicas when the master answers only when asked again; names it when it never does', async () => {
    const c = await startLocalCluster({ redisConfig: [{ key: 'repl-diskless-sync-delay', value: '0' }] });
    platform = c.platform;
    const master = masterOfSlot(c.topology, 0)!;
    const replicas = selfEntries(c.topology).filter((e) => e.self.masterId === master.nodeId).map((e) => e.view.pod);
    let late = 0;
    const slow = answeringLate(c.platform, master.pod, () => late-- > 0);

    // A snapshot asks a node several things at once: three failures cover the first round's.
    late = 3;
    expect(await counterMaster(slow, 0)).toBe(master.pod);
    late = 3;
    expect(await mastersBySlot(slow)).toContain(master.pod);
    late = 3;
    expect(await replicasOfMaster(slow, master.pod)).toEqual(replicas);

    late = Infinity;
    await expect(counterMaster(slow, 0)).rejects.toThrow(new RegExp(`^no single master serves the counter's slot 0; not answering: ${master.pod} \\(`));
  }, 90_000);
});
