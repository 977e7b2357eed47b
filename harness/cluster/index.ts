export { bootstrapCluster, createCluster } from './bootstrap.ts';
export { unmetConditions, waitForClusterReady } from './readiness.ts';
export { coverage, disagreements, masterOfSlot, podOfNode, selfEntries, slotClaims, snapshot } from './topology.ts';
export type { Coverage, NodeView, SelfEntry, Topology } from './topology.ts';
export { parseClusterNodes, parseInfo, hasFlag } from './nodes.ts';
export type { NodeEntry } from './nodes.ts';
export { formatRanges, keySlot, rangeSize, rangesContain, SLOT_COUNT, toRanges } from './slots.ts';
export type { SlotRange } from './slots.ts';
