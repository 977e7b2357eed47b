// A pod deleted while its create() is still under way: what a teardown does when it runs beside a
// start (a Parallel start whose sibling failed, a signal's cleanup while pods come up). Seen in CI:
// a gate's run told to stop mid-start left a redis-server and its claim's loop device behind, in
// a run folder already removed.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifests, resolveSystem } from '../../manifests/index.ts';
import { LoopbackAllocator } from './addresses.ts';
import { LocalPod } from './pod.ts';
import { podContext, type RunSetup } from './pod-setup.ts';
import { ownRunRecord, RunDir } from './run-dir.ts';
import { markedProcesses } from './sweeper.ts';

const ONE_POD = path.join(import.meta.dirname, 'fixtures/one-pod');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a local pod', () => {
  it('deleted while its create() is still under way: the container that create was about to start is stopped too', async () => {
    const system = resolveSystem(await loadManifests(ONE_POD), { shape: { masters: 1, replicasPerMaster: 0 } });
    const runId = '20261206-000003-fa13';
    const allocator = LoopbackAllocator.random();
    const runDir = RunDir.for(runId);
    await runDir.create(ownRunRecord(runId, allocator.prefix));
    cleanups.push(() => runDir.remove());
    const setup: RunSetup = {
      system, runId, runDir, allocator, network: null, nodeTimeoutOverrideMs: null, redisConfig: [], backoff: undefined, writeHosts: async () => {},
    };
    const { statefulSet, clientPort } = system.redis;
    // The create's first step (its address) held until the delete has begun.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ctx = { ...podContext(setup, statefulSet.template, statefulSet.source, [], [clientPort]), allocateIp: () => held.then(() => allocator.allocate([clientPort])) };
    const pod = new LocalPod('solo-0', 0, ctx);
    cleanups.push(() => pod.killNow());

    const created = pod.create();
    const deleted = pod.delete(0);
    release();
    await deleted;
    await created;

    expect(pod.phase).toBe('Pending');
    expect(pod.containers).toEqual([]);
    expect([...(await markedProcesses(runId)).keys()]).toEqual([]);
  });
});
