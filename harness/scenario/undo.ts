import { errorMessage } from '../errors.ts';
import type { FaultInjector } from '../faults/injector.ts';
import type { RunningPlatform } from '../platform/types.ts';

/**
 * Undoes every fault a scenario that ended early left open, each step past the others' errors:
 * on a shared cluster the next scenario must not start with a pod held down or frozen, a cut or a
 * slowed link, a full volume, a crashed or cordoned node. `restartHeld` brings back pods still
 * held down (an error); an interrupted run leaves them to the teardown, which removes everything.
 */
export async function undoOpenFaults(
  faults: Pick<FaultInjector, 'openNetworkFaults' | 'openDiskFills' | 'openNodeCrashes' | 'openPauses' | 'resume'>,
  platform: Pick<RunningPlatform, 'pods' | 'restart' | 'heal' | 'freeDisk' | 'restoreNode' | 'nodes' | 'uncordon'>,
  log: (line: string) => void, { restartHeld }: { restartHeld: boolean }): Promise<void> {
  const warn = (what: string) => (e: unknown) => log(`could not ${what}: ${errorMessage(e)}`);
  if (restartHeld) {
    for (const pod of await platform.pods().catch(() => [])) if (pod.held) await platform.restart(pod.name).catch(warn(`restart ${pod.name}`));
  }
  if (faults.openNetworkFaults().length) await platform.heal().catch(warn('heal the network'));
  for (const pod of faults.openDiskFills()) await platform.freeDisk(pod).catch(warn(`free ${pod}'s volume`));
  for (const node of new Set(faults.openNodeCrashes().map((c) => c.node))) await platform.restoreNode(node).catch(warn(`restore node ${node}`));
  for (const node of await platform.nodes().catch(() => [])) {
    if (node.unschedulable) await platform.uncordon(node.name).catch(warn(`uncordon ${node.name}`));
  }
  for (const pod of faults.openPauses()) await faults.resume(pod).catch(warn(`resume ${pod}`));
}
