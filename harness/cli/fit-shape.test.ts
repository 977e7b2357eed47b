// Scenarios a shape cannot run: named, a mistake; chosen by a glob or `all`, left out and said.
// And a --wait-replicas the shape cannot meet: a mistake.
import { describe, expect, it } from 'vitest';
import { fitScenariosToShape, fitWaitToShape } from './preflight.ts';
import type { HarnessOptions } from '../session/options.ts';

const options = (scenarios: string[]) => ({ scenarios }) as HarnessOptions;

describe('fitScenariosToShape', () => {
  it('leaves out a scenario a glob chose that needs more replicas, and says so once', () => {
    const o = options(['kill-master', 'kill-master-and-first-replica']);
    const lines: string[] = [];
    fitScenariosToShape(o, { masters: 3, replicasPerMaster: 1 }, [], (l) => lines.push(l));
    expect(o.scenarios).toEqual(['kill-master']);
    expect(lines).toEqual(["redis-chaos: left out: kill-master-and-first-replica needs 2 replicas per master; the manifests' shape is 3 × 1 (masters × replicas per master)"]);
  });

  it('keeps it on a shape with two replicas per master', () => {
    const o = options(['kill-master', 'kill-master-and-first-replica']);
    fitScenariosToShape(o, { masters: 3, replicasPerMaster: 2 }, ['kill-master-and-first-replica'], () => { throw new Error('nothing to say'); });
    expect(o.scenarios).toEqual(['kill-master', 'kill-master-and-first-replica']);
  });

  it('refuses when nothing would be left, or the scenario was named', () => {
    expect(() => fitScenariosToShape(options(['kill-master-and-first-replica']), { masters: 6, replicasPerMaster: 1 }, [], () => {})).toThrow(/needs 2 replicas per master; the manifests' shape is 6 × 1 .*: nothing left to run$/);
    expect(() => fitScenariosToShape(options(['kill-master', 'kill-master-and-first-replica']), { masters: 3, replicasPerMaster: 1 }, ['kill-master-and-first-replica'], () => {})).toThrow(/^--scenario kill-master-and-first-replica needs 2/);
  });
});

describe('fitWaitToShape', () => {
  it('refuses a WAIT for more replicas than each master has, saying how many it may be', () => {
    expect(() => fitWaitToShape({ waitReplicas: 2 }, { masters: 3, replicasPerMaster: 1 })).toThrow(
      "--wait-replicas 2: each master has 1 replica (the manifests' shape is 3 × 1, masters × replicas per master), so WAIT 2 could never be met and no write would count as acknowledged; at most 1");
    expect(() => fitWaitToShape({ waitReplicas: 1 }, { masters: 3, replicasPerMaster: 0 })).toThrow(/each master has 0 replicas .*; leave it out: no master has a replica to wait for$/);
  });

  it('takes a WAIT the shape can meet, and no WAIT at all', () => {
    for (const [waitReplicas, replicasPerMaster] of [[1, 1], [2, 2], [1, 2], [null, 0]] as const) {
      expect(() => fitWaitToShape({ waitReplicas }, { masters: 3, replicasPerMaster })).not.toThrow();
    }
  });
});
