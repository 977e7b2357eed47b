// Network faults between Redis pods, named by pod: each pod's interface found and handed to
// LocalNetFaults (sandbox/net-faults.ts), which cuts, delays or drops inside the pods' namespaces.

import { HarnessError } from '../../errors.ts';
import type { LinkFault } from '../types.ts';
import type { PodInterface } from './sandbox/network.ts';
import { assertUp, redisPod, type LocalRun } from './run-state.ts';

export async function partition(run: LocalRun, groups: string[][]): Promise<void> {
  requireNetwork(run, 'a partition');
  await run.netFaults.partition(groups.map((g) => g.map((name) => ifaceOf(run, name))));
}

export async function degrade(run: LocalRun, target: string, fault: LinkFault, peers?: string[]): Promise<void> {
  requireNetwork(run, 'a degraded link');
  const peerIps = (peers ?? run.redisPods.map((p) => p.name).filter((n) => n !== target)).map((n) => ifaceOf(run, n).ip);
  await run.netFaults.degrade(ifaceOf(run, target), fault, peerIps);
}

export async function heal(run: LocalRun): Promise<void> {
  const live = new Set(run.redisPods.flatMap((p) => (p.iface ? [p.iface.netns] : [])));
  await run.netFaults.heal((netns) => live.has(netns));
}

function ifaceOf(run: LocalRun, name: string): PodInterface {
  const iface = redisPod(run, name).iface;
  if (!iface) throw new HarnessError(`pod ${name} has no network namespace (is it being re-created?)`);
  return iface;
}

function requireNetwork(run: LocalRun, what: string): void {
  assertUp(run);
  if (!run.network) throw new HarnessError(`${what} needs --isolation namespaces (this run's pods are bare processes on loopback, with no network of their own to cut)`);
}
