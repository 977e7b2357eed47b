import { ManifestError } from '../errors.ts';
import type { StatefulSet } from './types.ts';

export interface ClusterShape {
  masters: number;
  replicasPerMaster: number;
}

/** The walkthrough's cluster: three masters with one replica each. */
export const SEED_SHAPE: ClusterShape = { masters: 3, replicasPerMaster: 1 };

/** The StatefulSet annotation that says how many of its pods replicate each master. */
export const REPLICAS_PER_MASTER_ANNOTATION = 'redis-chaos/replicas-per-master';

/** Redis Cluster refuses to form with fewer masters (`redis-cli --cluster create` needs 3). */
export const MIN_MASTERS = 3;

/**
 * The cluster's shape, from the StatefulSet: its replicas, split by a replicas-per-master that
 * `--replicas-per-master` gives, else the annotation, else the walkthrough's 1. Every shape with
 * at least 3 masters and 1 replica each forms; any other is one line with the arithmetic.
 */
export function shapeOf(statefulSet: StatefulSet, flag: number | null | undefined): ClusterShape {
  const { file, documentIndex } = statefulSet.source;
  const fail = (message: string): never => { throw new ManifestError(file, documentIndex, message); };
  const annotated = statefulSet.annotations[REPLICAS_PER_MASTER_ANNOTATION];
  let perMaster: number;
  let from: string;
  if (flag != null) {
    perMaster = flag;
    from = `--replicas-per-master ${flag}`;
  } else if (annotated !== undefined) {
    perMaster = Number(annotated);
    from = `annotation ${REPLICAS_PER_MASTER_ANNOTATION}: "${annotated}"`;
    if (!/^\s*\d+\s*$/.test(annotated)) fail(`${from}: expected a whole number of replicas per master, at least 1`);
  } else {
    perMaster = 1;
    from = `the default; set annotation ${REPLICAS_PER_MASTER_ANNOTATION} or --replicas-per-master`;
  }
  const pods = statefulSet.replicas;
  const perShard = 1 + perMaster;
  if (perMaster < 1) fail(`${from}: a master with no replica cannot fail over; at least 1`);
  if (pods % perShard !== 0) {
    fail(`spec.replicas is ${pods}: shards of 1 master + ${perMaster} ${plural(perMaster, 'replica')} (${from}) do not divide it (${pods} = ${Math.floor(pods / perShard)} × ${perShard} + ${pods % perShard})`);
  }
  const masters = pods / perShard;
  if (masters < MIN_MASTERS) {
    fail(`spec.replicas is ${pods}: ${pods} pods / shards of 1 master + ${perMaster} ${plural(perMaster, 'replica')} (${from}) = ${masters} ${plural(masters, 'master')}; Redis Cluster needs at least ${MIN_MASTERS} (${MIN_MASTERS * perShard} pods)`);
  }
  return { masters, replicasPerMaster: perMaster };
}

/** How many pods (nodes) a shape has: each master and its replicas. */
export const podsOf = (s: ClusterShape) => s.masters * (1 + s.replicasPerMaster);

/** `1 replica`, `2 replicas`. */
export const replicasText = (n: number) => `${n} ${plural(n, 'replica')}`;

/** `3 × 2`: masters × replicas per master, as the reports and the closing notes write a shape. */
export const shapeText = (s: ClusterShape) => `${s.masters} × ${s.replicasPerMaster}`;

/** A word for a count: `replica`, `replicas`. */
export const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);
