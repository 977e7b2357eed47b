/**
 * Response fixtures for the Kubernetes contract tests. They are not recordings: each is built by
 * hand from the Kubernetes API reference (v1.31: core/v1 Namespace, Pod, Event, Status,
 * APIResourceList; apps/v1 StatefulSet, Deployment; the watch event stream), with only the fields
 * the platform reads, in the shapes and status codes the reference documents.
 */

export const apiResources = {
  '/api/v1': {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1',
    resources: [
      { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
      { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
      { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
    ],
  },
  '/apis/apps/v1': {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1',
    resources: [
      { name: 'statefulsets', singularName: 'statefulset', namespaced: true, kind: 'StatefulSet', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
      { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
    ],
  },
};

export function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export function statefulSet(namespace: string, ready: number, revision = 'redis-cluster-7d9f8', resourceVersion = '100', replicas = 6) {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: 'redis-cluster', namespace, uid: 'b2c1a3f4-0000-4000-8000-000000000001', resourceVersion, generation: 1 },
    spec: { replicas, serviceName: 'redis-cluster', selector: { matchLabels: { app: 'redis-cluster' } } },
    status: { observedGeneration: 1, replicas, readyReplicas: ready, currentReplicas: replicas, updatedReplicas: replicas, currentRevision: revision, updateRevision: revision },
  };
}

export function pod(namespace: string, ordinal: number, over: { phase?: string; ready?: boolean; ip?: string | null; reason?: string; uid?: string } = {}) {
  const ready = over.ready ?? true;
  const phase = over.phase ?? 'Running';
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `redis-cluster-${ordinal}`, namespace, uid: over.uid ?? `0000000${ordinal}-1111-4000-8000-000000000000`, labels: { app: 'redis-cluster' }, resourceVersion: '200' },
    spec: { nodeName: `redis-chaos-worker${ordinal % 3 === 0 ? '' : ordinal % 3 + 1}`, terminationGracePeriodSeconds: 30, containers: [{ name: 'redis', image: 'redis:7.0.15-alpine' }] },
    status: {
      phase,
      podIP: over.ip === undefined ? (phase === 'Pending' ? undefined : `10.244.${ordinal}.5`) : over.ip ?? undefined,
      conditions: phase === 'Pending' && over.reason
        ? [{ type: 'PodScheduled', status: 'False', reason: over.reason, message: '0/4 nodes are available: 4 Insufficient memory.' }]
        : [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: phase === 'Pending' ? undefined : [{ name: 'redis', ready, restartCount: 2, image: 'redis:7.0.15-alpine', imageID: '', containerID: `containerd://${'ab'.repeat(32)}`, state: { running: { startedAt: '2026-12-01T00:00:00Z' } } }],
    },
  };
}

export function eventFor(namespace: string, podName: string, reason: string, message: string) {
  return { apiVersion: 'v1', kind: 'Event', metadata: { name: `${podName}.1`, namespace }, involvedObject: { kind: 'Pod', name: podName, namespace }, reason, message, type: 'Warning' };
}
