import { HOSTNAME_LABEL, ZONE_LABEL, type SchedulingNode } from './scheduler.ts';

/** A node of the local platform: a name, labels as kind's workers have them, and its state. */
export interface LocalNode extends SchedulingNode {
  zone: string;
}

/**
 * `count` nodes spread round-robin over `zones` zones (kind's three workers, each in a zone of its
 * own, by default). Names and labels are what the manifests' selectors and topology keys read.
 */
export function localNodes(count: number, zones = count): LocalNode[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `node-${i + 1}`;
    const zone = `zone-${String.fromCharCode(97 + (i % zones))}`;
    return { name, zone, ready: true, unschedulable: false, labels: { [HOSTNAME_LABEL]: name, [ZONE_LABEL]: zone, 'kubernetes.io/os': 'linux' } };
  });
}
