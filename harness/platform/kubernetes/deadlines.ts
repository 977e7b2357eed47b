/**
 * How long scaling a StatefulSet to 0 may take. An OrderedReady set deletes its pods one at a time,
 * each once the one before is gone, so the deadline is per pod: each pod's grace period plus the
 * minute a kubelet may take to report it gone (a 1.20 kubelet takes 9 s here, 16–60 s on another
 * node; six pods took 87 s there, against a deadline of 90 s for all). A Parallel set deletes all at once.
 */
export function fullStopDeadlineMs(sts: { replicas: number; podManagementPolicy: 'OrderedReady' | 'Parallel'; template: { terminationGracePeriodSeconds: number } }): number {
  const perPod = (sts.template.terminationGracePeriodSeconds + 60) * 1000;
  return sts.podManagementPolicy === 'OrderedReady' ? sts.replicas * perPod : perPod;
}

/**
 * How long the StatefulSet may take to have every pod Running and Ready: at up(), and after a full
 * restart scales it back. An OrderedReady set creates its pods one at a time, each once the one
 * before is Ready, so the deadline is per pod, 50 s each (first image pull, claim provisioning,
 * scheduling), never less than the 300 s the seed's six pods always had: a 3 × 2 shape's nine pods
 * get 450 s, a 6 × 1 shape's twelve 600 s. A Parallel set creates all at once: 300 s.
 */
export function startDeadlineMs(sts: { replicas: number; podManagementPolicy: 'OrderedReady' | 'Parallel' }): number {
  const floor = 300_000;
  return sts.podManagementPolicy === 'OrderedReady' ? Math.max(floor, sts.replicas * 50_000) : floor;
}
