// The order and the error handling of undoOpenFaults, on a recording stand-in for the platform
// (each step's effect on real processes is tested with the platform's own faults).
import { describe, expect, it } from 'vitest';
import { undoOpenFaults } from './undo.ts';

function stand(failing: string[] = []) {
  const calls: string[] = [];
  const act = (name: string) => async () => {
    calls.push(name);
    if (failing.includes(name)) throw new Error(`${name} refused`);
  };
  const faults = {
    openNetworkFaults: () => ['redis-cluster-1'],
    openDiskFills: () => ['redis-cluster-2'],
    openNodeCrashes: () => [{ pod: 'redis-cluster-3', node: 'node-2' }, { pod: 'redis-cluster-4', node: 'node-2' }],
    openPauses: () => ['redis-cluster-0'],
    resume: (pod: string) => act(`resume ${pod}`)(),
  };
  const platform = {
    pods: async () => [{ name: 'redis-cluster-5', held: true }, { name: 'redis-cluster-0', held: false }] as never,
    restart: (pod: string) => act(`restart ${pod}`)(),
    heal: act('heal'),
    freeDisk: (pod: string) => act(`free ${pod}`)(),
    restoreNode: (node: string) => act(`restore ${node}`)(),
    nodes: async () => [{ name: 'node-1', unschedulable: true }, { name: 'node-2', unschedulable: false }] as never,
    uncordon: (node: string) => act(`uncordon ${node}`)(),
  };
  return { calls, faults, platform };
}

describe('undoOpenFaults', () => {
  it('undoes every open fault once: held pods, the network, full volumes, crashed and cordoned nodes, pauses', async () => {
    const { calls, faults, platform } = stand();
    await undoOpenFaults(faults, platform, () => undefined, { restartHeld: true });
    expect(calls).toEqual(['restart redis-cluster-5', 'heal', 'free redis-cluster-2', 'restore node-2', 'uncordon node-1', 'resume redis-cluster-0']);
  });

  it('leaves held pods to the teardown when interrupted', async () => {
    const { calls, faults, platform } = stand();
    await undoOpenFaults(faults, platform, () => undefined, { restartHeld: false });
    expect(calls).not.toContain('restart redis-cluster-5');
  });

  it('goes on past a step that fails, and says which', async () => {
    const { calls, faults, platform } = stand(['heal', 'restore node-2']);
    const lines: string[] = [];
    await undoOpenFaults(faults, platform, (l) => lines.push(l), { restartHeld: true });
    expect(calls).toContain('resume redis-cluster-0');
    expect(lines).toEqual(['could not heal the network: heal refused', 'could not restore node node-2: restore node-2 refused']);
  });
});
