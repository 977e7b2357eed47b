// The OOM watch on scripted pod statuses: what earlier scenarios left is not counted, a forked
// child's kill and the main process's are told apart, a re-created pod counts from zero, and where
// the platform counts nothing (Kubernetes) an OOMKilled restart is one kill.
import { describe, expect, it } from 'vitest';
import type { PodStatus, RunningPlatform } from '../platform/types.ts';
import { Clock } from '../workload/clock.ts';
import { startOomWatch } from './oom-watch.ts';

const status = (over: Partial<PodStatus>): PodStatus => ({
  name: 'redis-cluster-0', ordinal: 0, ip: '10.0.0.1', phase: 'Running', ready: true, restarts: 0, incarnation: 'a', held: false,
  node: null, zone: null, reason: null, lastTermination: null, ...over,
});

/** A platform whose pods() answers each script step in turn, then the last one. */
function scripted(steps: PodStatus[][]): { platform: RunningPlatform; done: Promise<void> } {
  let i = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const platform = { pods: async () => {
    if (i >= steps.length - 1) finish();
    return steps[Math.min(i++, steps.length - 1)]!;
  } } as unknown as RunningPlatform;
  return { platform, done };
}

describe('the OOM watch', () => {
  it('counts kills from the first look on, tells a child from the main process, and restarts the count for a new pod', async () => {
    const { platform, done } = scripted([
      [status({ oomKills: 2, restarts: 1, lastTermination: 'OOMKilled' })], // an earlier scenario's
      [status({ oomKills: 3, restarts: 1, lastTermination: 'OOMKilled' })], // a forked child
      [status({ oomKills: 4, restarts: 2, lastTermination: 'OOMKilled' })], // redis-server itself
      [status({ oomKills: 1, restarts: 1, lastTermination: 'OOMKilled', incarnation: 'b' })], // re-created, killed once
    ]);
    const watch = startOomWatch(platform, new Clock(), { intervalMs: 1 });
    await done;
    await watch.stop();
    expect(watch.kills.map((k) => [k.pod, k.mainProcess])).toEqual([['redis-cluster-0', false], ['redis-cluster-0', true], ['redis-cluster-0', true]]);
  });

  it('a kill seen before its restart is redis-server\'s once the container restarts OOMKilled (the back-off delays the restart)', async () => {
    const { platform, done } = scripted([
      [status({})],
      [status({ oomKills: 1 })], // counted by the kernel; the exit not seen yet
      [status({ oomKills: 1 })],
      [status({ oomKills: 1, restarts: 1, lastTermination: 'OOMKilled' })],
    ]);
    const seen: boolean[] = [];
    const watch = startOomWatch(platform, new Clock(), { intervalMs: 1, onKill: (k) => seen.push(k.mainProcess) });
    await done;
    await watch.stop();
    expect(watch.kills.map((k) => k.mainProcess)).toEqual([true]);
    expect(seen).toEqual([false, true]);
  });

  it('on a platform that counts none, an OOMKilled restart is one kill, another restart none', async () => {
    const { platform, done } = scripted([
      [status({})],
      [status({ restarts: 1, lastTermination: 'Error' })],
      [status({ restarts: 2, lastTermination: 'OOMKilled' })],
    ]);
    const watch = startOomWatch(platform, new Clock(), { intervalMs: 1 });
    await done;
    await watch.stop();
    expect(watch.kills).toHaveLength(1);
    expect(watch.kills[0]).toMatchObject({ pod: 'redis-cluster-0', mainProcess: true });
  });
});
