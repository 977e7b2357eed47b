// The run's nodes as RunningPlatform shows and disrupts them: listed, crashed (the connections to
// its pods dropped with them) and restored, cordoned and uncordoned. What each of those does to the
// nodes and their pods is node-pool.ts's.

import type { NodeStatus } from '../types.ts';
import { assertUp, type LocalRun } from './run-state.ts';

export async function listNodes(run: LocalRun): Promise<NodeStatus[]> {
  assertUp(run);
  return run.nodePool.nodes.map(({ name, zone, labels, ready, unschedulable }) => ({ name, zone, labels: { ...labels }, ready, unschedulable }));
}

export async function crashNode(run: LocalRun, name: string): Promise<string[]> {
  assertUp(run);
  return run.nodePool.crash(name, (ip) => run.connections.forget(ip, run.info.clientPort));
}

export async function restoreNode(run: LocalRun, name: string): Promise<void> {
  assertUp(run);
  await run.nodePool.restore(name);
}

export async function cordonNode(run: LocalRun, name: string): Promise<void> {
  assertUp(run);
  run.nodePool.node(name).unschedulable = true;
}

export async function uncordonNode(run: LocalRun, name: string): Promise<void> {
  assertUp(run);
  run.nodePool.node(name).unschedulable = false;
}
