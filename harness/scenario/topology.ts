import { answeredSnapshot, masterOfSlot, selfEntries } from '../cluster/index.ts';
import { HarnessError } from '../errors.ts';
import type { NodeStatus, RunningPlatform } from '../platform/types.ts';

// Who is what right now, asked of the cluster when a scenario needs a target: roles move under
// faults, so none of these is remembered from the start.

// Each query below asks every node again that did not answer at first (answeredSnapshot): on a busy
// machine one late reply must not make a scenario's target unknown (CI saw node-crash end in error
// before its fault, its counter's master not found under load).

/** The replicas of a master right now, in pod order; a master with none is a HarnessError. */
export async function replicasOfMaster(platform: RunningPlatform, master: string): Promise<string[]> {
  const t = await answeredSnapshot(platform);
  const id = selfEntries(t).find((e) => e.view.pod === master)?.self.id;
  const replicas = selfEntries(t).filter((e) => e.self.role === 'replica' && e.self.masterId === id).map((e) => e.view.pod);
  if (!replicas.length) throw new HarnessError(`${master} has no replica`);
  return replicas;
}

/** The pods that are masters with slots right now, in slot order. */
export async function mastersBySlot(platform: RunningPlatform): Promise<string[]> {
  return selfEntries(await answeredSnapshot(platform)).filter((e) => e.self.role === 'master' && e.self.slots.length > 0)
    .sort((a, b) => a.self.slots[0]![0] - b.self.slots[0]![0]).map((e) => e.view.pod);
}

/** The pod serving the counter key's slot right now; no single master is a HarnessError. */
export async function counterMaster(platform: RunningPlatform, counterSlot: number): Promise<string> {
  const t = await answeredSnapshot(platform);
  const owner = masterOfSlot(t, counterSlot);
  if (!owner) {
    const silent = t.views.filter((v) => !v.reachable).map((v) => `${v.pod} (${v.error ?? 'no answer'})`);
    throw new HarnessError(`no single master serves the counter's slot ${counterSlot}${silent.length ? `; not answering: ${silent.join(', ')}` : ''}`);
  }
  return owner.pod;
}

/** The node a pod is bound to right now. */
export async function nodeOfPod(platform: RunningPlatform, pod: string): Promise<NodeStatus> {
  const name = (await platform.pods()).find((p) => p.name === pod)?.node;
  const node = (await platform.nodes()).find((n) => n.name === name);
  if (!node) throw new HarnessError(`${pod} is on no known node`);
  return node;
}
