// The cluster's shape from the StatefulSet: replicas split by a replicas-per-master from the flag,
// the annotation or the default of 1, and one line with the arithmetic for a shape that cannot form.
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../errors.ts';
import type { StatefulSet } from './types.ts';
import { shapeOf, shapeText } from './shape.ts';

const sts = (replicas: number, annotations: Record<string, string> = {}) =>
  ({ kind: 'StatefulSet', name: 'redis-cluster', replicas, annotations, source: { file: 'k8s/sts.yaml', documentIndex: 0 } }) as unknown as StatefulSet;

const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as Error).message;
  }
  throw new Error('expected a ManifestError');
};

describe('shapeOf', () => {
  it('splits the pods by 1 replica per master unless told otherwise', () => {
    expect(shapeOf(sts(6), null)).toEqual({ masters: 3, replicasPerMaster: 1 });
    expect(shapeOf(sts(12), null)).toEqual({ masters: 6, replicasPerMaster: 1 });
  });

  it('reads the annotation, and the flag over it', () => {
    expect(shapeOf(sts(9, { 'redis-chaos/replicas-per-master': '2' }), null)).toEqual({ masters: 3, replicasPerMaster: 2 });
    expect(shapeOf(sts(12, { 'redis-chaos/replicas-per-master': '2' }), 3)).toEqual({ masters: 3, replicasPerMaster: 3 });
    expect(shapeText({ masters: 3, replicasPerMaster: 2 })).toBe('3 × 2');
  });

  it('refuses a count the shards do not divide, with the arithmetic', () => {
    expect(errorOf(() => shapeOf(sts(9), null))).toBe('k8s/sts.yaml (document 0): spec.replicas is 9: shards of 1 master + 1 replica (the default; set annotation redis-chaos/replicas-per-master or --replicas-per-master) do not divide it (9 = 4 × 2 + 1)');
    expect(errorOf(() => shapeOf(sts(10, { 'redis-chaos/replicas-per-master': '2' }), null))).toMatch(/spec\.replicas is 10: shards of 1 master \+ 2 replicas \(annotation redis-chaos\/replicas-per-master: "2"\) do not divide it \(10 = 3 × 3 \+ 1\)$/);
  });

  it('refuses fewer than 3 masters', () => {
    expect(errorOf(() => shapeOf(sts(4), null))).toMatch(/spec\.replicas is 4: 4 pods \/ shards of 1 master \+ 1 replica \(the default; .*\) = 2 masters; Redis Cluster needs at least 3 \(6 pods\)$/);
    expect(errorOf(() => shapeOf(sts(6), 2))).toMatch(/spec\.replicas is 6: 6 pods \/ shards of 1 master \+ 2 replicas \(--replicas-per-master 2\) = 2 masters; Redis Cluster needs at least 3 \(9 pods\)$/);
  });

  it('refuses an annotation that is not a whole number of at least 1', () => {
    expect(errorOf(() => shapeOf(sts(6, { 'redis-chaos/replicas-per-master': 'two' }), null))).toMatch(/annotation redis-chaos\/replicas-per-master: "two": expected a whole number of replicas per master, at least 1$/);
    expect(errorOf(() => shapeOf(sts(6, { 'redis-chaos/replicas-per-master': '0' }), null))).toMatch(/annotation redis-chaos\/replicas-per-master: "0": a master with no replica cannot fail over; at least 1$/);
  });
});
