// The local StatefulSet controller's re-creation order, on stand-in pods (no processes needed).
import { describe, expect, it } from 'vitest';
import { sleep } from '../../util/wait.ts';
import { StatefulSetController, type ControlledPod } from './statefulset-controller.ts';

function podsOf(n: number): (ControlledPod & { ready: boolean })[] {
  return Array.from({ length: n }, (_, ordinal) => ({ name: `redis-cluster-${ordinal}`, ordinal, phase: 'Running' as const, ready: true }));
}

function controller(policy: 'OrderedReady' | 'Parallel', pods: ReturnType<typeof podsOf>, created: string[], readyAfterMs = 150) {
  return new StatefulSetController(pods, policy, async (p) => p.ready, async (p) => {
    created.push(p.name);
    p.phase = 'Running';
    p.ready = false;
    setTimeout(() => { p.ready = true; }, readyAfterMs); // Ready some time after it starts
  }, (_p, e) => { throw e; });
}

describe('the local StatefulSet controller', () => {
  it('OrderedReady: pods 0 and 1 deleted together come back 0 first, then 1 once 0 is ready', async () => {
    const pods = podsOf(6);
    const created: string[] = [];
    const c = controller('OrderedReady', pods, created);
    for (const p of pods.slice(0, 2)) Object.assign(p, { phase: 'Pending', ready: false });
    await c.recreate(pods[1]!); // pod 1's deletion finished first: it must still wait for pod 0
    expect(created).toEqual([]);
    expect(c.pending).toBe(1);
    await c.recreate(pods[0]!);
    expect(created).toEqual(['redis-cluster-0']);
    await sleep(60);
    expect(created).toEqual(['redis-cluster-0']); // pod 0 is Running, not yet Ready
    await sleep(300);
    expect(created).toEqual(['redis-cluster-0', 'redis-cluster-1']);
    await c.stop();
  });

  it('Parallel: every deleted pod comes back at once', async () => {
    const pods = podsOf(6);
    const created: string[] = [];
    const c = controller('Parallel', pods, created);
    for (const p of pods.slice(0, 2)) Object.assign(p, { phase: 'Pending', ready: false });
    await c.recreate(pods[1]!);
    await c.recreate(pods[0]!);
    expect(created).toEqual(['redis-cluster-1', 'redis-cluster-0']);
    await c.stop();
  });

  it('stop() ends a waiting re-creation: nothing is created after teardown', async () => {
    const pods = podsOf(3);
    const created: string[] = [];
    const c = controller('OrderedReady', pods, created);
    Object.assign(pods[0]!, { phase: 'Pending', ready: false });
    Object.assign(pods[2]!, { phase: 'Pending', ready: false });
    await c.recreate(pods[2]!);
    await c.stop();
    Object.assign(pods[0]!, { phase: 'Running', ready: true });
    await sleep(250);
    expect(created).toEqual([]);
    expect(c.pending).toBe(0);
  });
});
