// Contract tests for the Kubernetes platform against a mock API server (testing/mock-api.ts): they
// assert the exact requests client-node makes and how realistic responses are handled. No cluster
// is involved; the fixtures are built from the Kubernetes API reference (testing/fixtures.ts).
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadManifests, resolveSystem, type SystemUnderTest } from '../../manifests/index.ts';
import { REPO_MANIFESTS } from '../../testing/local-cluster.ts';
import type { RunningPlatform } from '../types.ts';
import { checkKubernetesTarget, isHarnessKindContext } from './guard.ts';
import { fullStopDeadlineMs, startDeadlineMs } from './deadlines.ts';
import { KubernetesPlatform } from './kubernetes-platform.ts';
import { eventFor, pod, statefulSet, status } from './testing/fixtures.ts';
import { json, MockApi, watchStream } from './testing/mock-api.ts';
import { agentName } from './node-agent.ts';

const RUN = '20261201-000000-abcd';
const NS = `redis-chaos-${RUN}`;
const KIND_CONTEXT = `kind-redis-chaos-${RUN}`;
let system: SystemUnderTest;
let api: MockApi;

beforeAll(async () => {
  system = resolveSystem(await loadManifests(REPO_MANIFESTS));
});
beforeEach(async () => {
  api = await new MockApi().start();
});
afterEach(async () => {
  await api.close();
});

const platform = async (context: string, over: Partial<ConstructorParameters<typeof KubernetesPlatform>[0]> = {}) =>
  new KubernetesPlatform({ system, runId: RUN, context, allowContext: null, keep: false, nodeTimeoutOverrideMs: null, kubeconfig: await api.kubeconfig(context), readyTimeoutMs: 5000, ...over });

/** The API calls a healthy `up()` makes, answered as a cluster would. */
function healthyCluster(readyAfterWatches = 1): void {
  let watches = 0;
  api.on('POST', /^\/api\/v1\/namespaces$/, (req, res) => json(res, 201, JSON.parse(req.body)));
  api.on('PATCH', new RegExp(`^/(api/v1|apis/apps/v1)/namespaces/${NS}/`), (req, res) => json(res, 200, JSON.parse(req.body)));
  api.on('GET', new RegExp(`^/apis/apps/v1/namespaces/${NS}/statefulsets/redis-cluster$`), (_req, res) => json(res, 200, statefulSet(NS, watches >= readyAfterWatches ? 6 : 2)));
  api.on('GET', new RegExp(`^/apis/apps/v1/namespaces/${NS}/statefulsets$`), (req, res) => {
    expect(req.query.get('watch')).toBe('true');
    watches++;
    // The first watches end (server-side timeout) with the set still not ready.
    watchStream(res, [{ type: 'MODIFIED', object: statefulSet(NS, watches >= readyAfterWatches ? 6 : 3) }]);
  });
  api.on('DELETE', new RegExp(`^/api/v1/namespaces/${NS}$`), (_req, res) => json(res, 200, { kind: 'Status', status: 'Success' }));
  api.on('GET', new RegExp(`^/api/v1/namespaces/${NS}/pods$`), (_req, res) => json(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [0, 1, 2, 3, 4, 5].map((i) => pod(NS, i)) }));
  api.on('GET', /^\/api\/v1\/nodes$/, (_req, res) => json(res, 200, { kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: ['redis-chaos-worker', 'redis-chaos-worker2', 'redis-chaos-worker3'].map((name, i) => ({
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${'abc'[i]}` } },
    spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] },
  })) }));
  // The node agents: created, then Running.
  api.on('POST', new RegExp(`^/api/v1/namespaces/${NS}/pods$`), (req, res) => json(res, 201, JSON.parse(req.body)));
  api.on('GET', new RegExp(`^/api/v1/namespaces/${NS}/pods/redis-chaos-agent-[0-9a-f]+$`), (req, res) =>
    json(res, 200, { apiVersion: 'v1', kind: 'Pod', metadata: { name: req.path.split('/').at(-1), namespace: NS }, status: { phase: 'Running' } }));
}

describe('the safety guard', () => {
  it('refuses a context that is not a kind cluster the harness created, before any request', async () => {
    healthyCluster();
    await expect((await platform('prod-eu-1')).up()).rejects.toThrow(/refusing to inject faults into kubeconfig context "prod-eu-1": it is not a kind cluster redis-chaos created; pass --allow-context prod-eu-1/);
    await expect(checkKubernetesTarget({ context: null, allowContext: null }, await api.kubeconfig('kind-someone-else'))).rejects.toThrow(/refusing/);
    expect(api.requests).toEqual([]);
  });

  it('refuses --allow-context naming a different context', async () => {
    await expect((await platform('staging', { allowContext: 'stagin' })).up()).rejects.toThrow(/--allow-context names "stagin", not "staging"/);
    expect(api.requests).toEqual([]);
  });

  it('accepts the exact --allow-context, and kind clusters named by the harness', async () => {
    await expect(checkKubernetesTarget({ context: null, allowContext: 'staging' }, await api.kubeconfig('staging'))).resolves.toBe('staging');
    expect(isHarnessKindContext(KIND_CONTEXT)).toBe(true);
    expect(isHarnessKindContext('kind-redis-chaos-prod')).toBe(false);
    expect(isHarnessKindContext('kind-kind')).toBe(false);
  });

  it('names an unknown --context with the known ones', async () => {
    await expect(checkKubernetesTarget({ context: 'nope', allowContext: null }, await api.kubeconfig('staging'))).rejects.toThrow('--context nope: no such kubeconfig context; known: staging');
  });
});

describe('overrides that cannot take effect on Kubernetes', () => {
  it('refuses --node-timeout when no ConfigMap key holds the config file, before any request', async () => {
    const noFile = { ...system, redis: { ...system.redis, configFile: undefined } };
    await expect((await platform(KIND_CONTEXT, { system: noFile, nodeTimeoutOverrideMs: 3000 })).up()).rejects.toThrow(/^--node-timeout: cannot be applied on Kubernetes: container redis of StatefulSet redis-cluster reads no Redis config file from a ConfigMap/);
    expect(api.requests).toEqual([]);
  });

  it('refuses an override that the container\'s command line also sets (the command line wins)', async () => {
    const withArg = { ...system, redis: { ...system.redis, container: { ...system.redis.container, args: [...system.redis.container.args, '--appendonly', 'yes'] } } };
    await expect((await platform(KIND_CONTEXT, { system: withArg, redisConfig: [{ key: 'appendonly', value: 'no' }] })).up()).rejects.toThrow(/^--redis-config appendonly: cannot be applied on Kubernetes: container redis's command line sets --appendonly/);
    expect(api.requests).toEqual([]);
  });
});

describe('up() on a cluster', () => {
  it('creates a labelled namespace and server-side applies the manifests as redis-chaos', async () => {
    healthyCluster();
    const artifactsDir = await mkdtemp(path.join(os.tmpdir(), 'k8s-artifacts-'));
    const running = await (await platform(KIND_CONTEXT, { nodeTimeoutOverrideMs: 3000, redisConfig: [{ key: 'repl-diskless-sync-delay', value: '0' }, { key: 'appendonly', value: 'no' }], artifactsDir })).up();
    try {
      const ns = api.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/namespaces')!;
      expect(JSON.parse(ns.body).metadata).toEqual({ name: NS, labels: { 'app.kubernetes.io/managed-by': 'redis-chaos', 'redis-chaos/run': RUN } });
      const patches = api.requests.filter((r) => r.method === 'PATCH');
      expect(patches.map((p) => p.path)).toEqual([
        `/api/v1/namespaces/${NS}/configmaps/redis-cluster`,
        `/api/v1/namespaces/${NS}/services/redis-cluster`,
        `/apis/apps/v1/namespaces/${NS}/statefulsets/redis-cluster`,
      ]);
      for (const p of patches) {
        expect(p.contentType).toBe('application/apply-patch+yaml');
        expect(p.query.get('fieldManager')).toBe('redis-chaos');
        expect(p.query.get('force')).toBe('true');
        expect(JSON.parse(p.body).metadata.namespace).toBe(NS);
      }
      // --node-timeout and --redis-config rewrite the ConfigMap's redis.conf (in place, or
      // appended); nothing else of the manifests changes.
      const cm = JSON.parse(patches[0]!.body);
      expect(cm.data['redis.conf']).toContain('cluster-node-timeout 3000\n');
      expect(cm.data['redis.conf']).not.toContain('15000');
      expect(cm.data['redis.conf']).toContain('appendonly no\n');
      expect(cm.data['redis.conf']).not.toContain('appendonly yes');
      expect(cm.data['redis.conf']).toMatch(/\nrepl-diskless-sync-delay 0\n$/);
      expect(JSON.parse(patches[2]!.body).spec.template.spec.containers[0].image).toBe('redis:7.0.15-alpine');
      expect(running.info).toMatchObject({ kind: 'kubernetes', namespace: NS, nodeTimeoutOverrideMs: 3000, manifestNodeTimeoutMs: 15000 });
    } finally {
      await running.down();
    }
    expect(api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/api/v1/namespaces/${NS}`]);
    // Logs and events are read before the namespace (and they with it) is deleted.
    const firstLog = api.requests.findIndex((r) => r.path.endsWith('/redis-cluster-0/log'));
    const deleted = api.requests.findIndex((r) => r.method === 'DELETE');
    expect(firstLog).toBeGreaterThan(-1);
    expect(firstLog).toBeLessThan(deleted);
    expect(await readdir(path.join(artifactsDir, 'kubernetes'))).toEqual(expect.arrayContaining(['events.txt', 'redis-cluster-0.redis.log']));
  });

  it('starts a node agent on every node that holds a Redis pod before up() returns, not at the first fault', async () => {
    healthyCluster();
    const running = await (await platform(KIND_CONTEXT)).up();
    const created = api.requests.filter((r) => r.method === 'POST' && r.path === `/api/v1/namespaces/${NS}/pods`).map((r) => JSON.parse(r.body) as { spec: { nodeName: string; hostPID: boolean } });
    expect(created.map((p) => p.spec.nodeName).sort()).toEqual(['redis-chaos-worker', 'redis-chaos-worker2', 'redis-chaos-worker3']);
    expect(created.every((p) => p.spec.hostPID)).toBe(true);
    await running.down();
  });

  it('re-watches when a watch times out before the StatefulSet is ready', async () => {
    healthyCluster(3);
    const running = await (await platform(KIND_CONTEXT)).up();
    await running.down();
    const watches = api.requests.filter((r) => r.path === `/apis/apps/v1/namespaces/${NS}/statefulsets`);
    expect(watches.length).toBe(3);
    for (const w of watches) {
      expect(w.query.get('fieldSelector')).toBe('metadata.name=redis-cluster');
      expect(Number(w.query.get('timeoutSeconds'))).toBeGreaterThan(0);
    }
  });

  it('backs off when the server refuses the watch at once (410 Gone) instead of re-listing back to back', async () => {
    healthyCluster(Number.POSITIVE_INFINITY);
    api.on('GET', new RegExp(`^/apis/apps/v1/namespaces/${NS}/statefulsets$`), (_req, res) => json(res, 410, status(410, 'Expired', 'too old resource version')));
    await expect((await platform(KIND_CONTEXT, { readyTimeoutMs: 2500 })).up()).rejects.toThrow(/not reached within 2500 ms/);
    const watches = api.requests.filter((r) => r.path === `/apis/apps/v1/namespaces/${NS}/statefulsets`).length;
    // 250, 500, 1000 ms pauses: a handful of attempts in 2.5 s, not hundreds.
    expect(watches).toBeGreaterThanOrEqual(2);
    expect(watches).toBeLessThanOrEqual(6);
  });

  it('names a pod stuck Pending, with its events, when the StatefulSet never becomes ready', async () => {
    healthyCluster(Number.POSITIVE_INFINITY);
    api.on('GET', new RegExp(`^/api/v1/namespaces/${NS}/pods$`), (_req, res) => json(res, 200, {
      kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [pod(NS, 0), pod(NS, 1, { phase: 'Pending', reason: 'Unschedulable', ready: false })],
    }));
    api.on('GET', new RegExp(`^/api/v1/namespaces/${NS}/events$`), (req, res) => json(res, 200, {
      kind: 'EventList', apiVersion: 'v1', metadata: {}, items: req.query.get('fieldSelector') === 'involvedObject.name=redis-cluster-1' ? [eventFor(NS, 'redis-cluster-1', 'FailedScheduling', '0/4 nodes are available: 4 Insufficient memory.')] : [],
    }));
    const error = await (await platform(KIND_CONTEXT, { readyTimeoutMs: 1500 })).up().then(() => new Error("up() succeeded"), (e: unknown) => e as Error);
    expect(error.message).toMatch(/StatefulSet redis-cluster ready: not reached within 1500 ms: not ready: redis-cluster-1 Pending; events: FailedScheduling: 0\/4 nodes are available: 4 Insufficient memory\./);
    // A failed up() still removes the namespace it created.
    expect(api.requests.some((r) => r.method === 'DELETE' && r.path === `/api/v1/namespaces/${NS}`)).toBe(true);
  });

  it('surfaces a 409 conflict from apply and cleans up', async () => {
    healthyCluster();
    api.on('PATCH', new RegExp(`/statefulsets/redis-cluster$`), (_req, res) => json(res, 409, status(409, 'Conflict', 'Apply failed with 1 conflict: conflict with "kubectl-edit": .spec.replicas')));
    const error = await (await platform(KIND_CONTEXT)).up().then(() => new Error("up() succeeded"), (e: unknown) => e as Error);
    expect(error.message).toMatch(/apply StatefulSet\/redis-cluster: 409 Conflict: Apply failed with 1 conflict: conflict with "kubectl-edit": \.spec\.replicas/);
    expect(api.requests.some((r) => r.method === 'DELETE' && r.path === `/api/v1/namespaces/${NS}`)).toBe(true);
  });

  it('waits for all nine pods of a 3 × 2 shape (six ready is not ready), and lists them all', async () => {
    const shaped = resolveSystem(await loadManifests(path.join(REPO_MANIFESTS, '..', 'examples', 'shape-3x2')));
    expect(shaped.shape).toEqual({ masters: 3, replicasPerMaster: 2 });
    healthyCluster();
    let watches = 0;
    api.on('GET', new RegExp(`^/apis/apps/v1/namespaces/${NS}/statefulsets/redis-cluster$`), (_req, res) => json(res, 200, statefulSet(NS, 6, undefined, undefined, 9)));
    api.on('GET', new RegExp(`^/apis/apps/v1/namespaces/${NS}/statefulsets$`), (_req, res) => {
      watches++;
      watchStream(res, [{ type: 'MODIFIED', object: statefulSet(NS, watches >= 2 ? 9 : 6, undefined, undefined, 9) }]);
    });
    api.on('GET', new RegExp(`^/api/v1/namespaces/${NS}/pods$`), (_req, res) => json(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: Array.from({ length: 9 }, (_, i) => pod(NS, i)) }));
    const running = await (await platform(KIND_CONTEXT, { system: shaped })).up();
    try {
      expect(watches).toBe(2);
      const sts = JSON.parse(api.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/statefulsets/redis-cluster'))!.body);
      expect([sts.spec.replicas, sts.metadata.annotations]).toEqual([9, { 'redis-chaos/replicas-per-master': '2' }]);
      expect((await running.pods()).map((p) => p.ordinal)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    } finally {
      await running.down();
    }
  });

  it('gives an OrderedReady set a start deadline per pod (one at a time), never below the seed six pods\' 300 s', () => {
    expect(startDeadlineMs({ replicas: 6, podManagementPolicy: 'OrderedReady' })).toBe(300_000);
    expect(startDeadlineMs({ replicas: 9, podManagementPolicy: 'OrderedReady' })).toBe(450_000);
    expect(startDeadlineMs({ replicas: 12, podManagementPolicy: 'OrderedReady' })).toBe(600_000);
    expect(startDeadlineMs({ replicas: 12, podManagementPolicy: 'Parallel' })).toBe(300_000);
  });

  it('keeps the namespace with --keep', async () => {
    healthyCluster();
    const running = await (await platform(KIND_CONTEXT, { keep: true })).up();
    await running.down();
    expect(api.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  });
});

/** A platform up on the healthy mock cluster for each test of the block, down after it. */
function upEach(): { readonly running: RunningPlatform } {
  const holder = {} as { running: RunningPlatform };
  beforeEach(async () => {
    healthyCluster();
    holder.running = await (await platform(KIND_CONTEXT)).up();
  });
  afterEach(async () => {
    await holder.running.down();
  });
  return holder;
}

describe('pod operations', () => {
  const up = upEach();
  let running: RunningPlatform;
  beforeEach(() => {
    running = up.running;
  });

  it('lists the StatefulSet pods by its selector, in ordinal order', async () => {
    const pods = await running.pods();
    const list = api.requests.filter((r) => r.method === 'GET' && r.path === `/api/v1/namespaces/${NS}/pods`).at(-1)!;
    expect(list.query.get('labelSelector')).toBe('app=redis-cluster');
    expect(pods.map((p) => p.name)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `redis-cluster-${i}`));
    expect(pods[2]).toMatchObject({ ordinal: 2, ip: '10.244.2.5', phase: 'Running', ready: true, restarts: 2, held: false });
  });

  it("reads the Redis container's last termination (OOMKilled), not a sidecar's", async () => {
    api.on('GET', new RegExp(`^/api/v1/namespaces/${NS}/pods$`), (_req, res) => json(res, 200, {
      kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [0, 1, 2, 3, 4, 5].map((i) => {
        const p = pod(NS, i) as { status: { containerStatuses: Record<string, unknown>[] } };
        const redis = p.status.containerStatuses[0]!;
        if (i === 1) redis.lastState = { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: null, finishedAt: null } };
        p.status.containerStatuses.unshift({ name: 'exporter', ready: true, restartCount: 0, image: 'x', imageID: '', lastState: { terminated: { exitCode: 1, reason: 'Error' } } });
        return p;
      }),
    }));
    const pods = await running.pods();
    expect(pods.map((p) => p.lastTermination)).toEqual([null, 'OOMKilled', null, null, null, null]);
  });

  it('deletes a pod with its grace period, and treats 404 as already gone', async () => {
    let reads = 0;
    api.on('GET', new RegExp(`^/api/v1/namespaces/${NS}/pods/redis-cluster-0$`), (_req, res) => (reads++ === 0 ? json(res, 200, pod(NS, 0)) : json(res, 404, status(404, 'NotFound', 'pods "redis-cluster-0" not found'))));
    api.on('DELETE', new RegExp(`^/api/v1/namespaces/${NS}/pods/redis-cluster-0$`), (_req, res) => json(res, 404, status(404, 'NotFound', 'pods "redis-cluster-0" not found')));
    await running.deletePod('redis-cluster-0', { gracePeriodSeconds: 5 });
    const del = api.requests.find((r) => r.method === 'DELETE' && r.path.endsWith('/pods/redis-cluster-0'))!;
    expect(del.query.get('gracePeriodSeconds')).toBe('5');
  });

  it('restarts every pod at once by scaling the StatefulSet to 0 and back, all gone before any returns', async () => {
    let replicas = 6;
    api.on('GET', new RegExp(`^/api/v1/namespaces/${NS}/pods$`), (_req, res) => json(res, 200, {
      kind: 'PodList', apiVersion: 'v1', metadata: {}, items: Array.from({ length: replicas }, (_, i) => pod(NS, i, replicas === 6 && afterScaleUp ? { ip: `10.244.9.${i + 1}` } : {})),
    }));
    let afterScaleUp = false; // the pods come back on new IPs
    api.on('PATCH', new RegExp(`^/apis/apps/v1/namespaces/${NS}/statefulsets/redis-cluster/scale$`), (req, res) => {
      replicas = (JSON.parse(req.body) as { spec: { replicas: number } }).spec.replicas;
      if (replicas === 6) afterScaleUp = true;
      json(res, 200, { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'redis-cluster', namespace: NS }, spec: { replicas } });
    });
    const moves = await running.fullRestart();
    const scales = api.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/statefulsets/redis-cluster/scale'));
    expect(scales.map((r) => [r.contentType, JSON.parse(r.body)])).toEqual([
      ['application/merge-patch+json', { spec: { replicas: 0 } }],
      ['application/merge-patch+json', { spec: { replicas: 6 } }],
    ]);
    expect(moves[0]).toEqual({ pod: 'redis-cluster-0', before: expect.any(String), after: '10.244.9.1' });
    await expect(running.fullRestart({ shuffleIps: true })).rejects.toThrow(/only the local platform can give pods each other's previous IPs/);
  });

  it('gives a full restart of an OrderedReady set a deadline per pod: it deletes them one at a time', () => {
    const template = { terminationGracePeriodSeconds: 30 };
    expect(fullStopDeadlineMs({ replicas: 6, podManagementPolicy: 'OrderedReady', template })).toBe(6 * 90_000);
    expect(fullStopDeadlineMs({ replicas: 6, podManagementPolicy: 'Parallel', template })).toBe(90_000);
  });

  it('waits until a deleted pod is replaced by a new incarnation', async () => {
    let reads = 0;
    api.on('GET', new RegExp(`^/api/v1/namespaces/${NS}/pods/redis-cluster-1$`), (_req, res) => json(res, 200, pod(NS, 1, reads++ < 3 ? {} : { uid: 'new-uid' })));
    api.on('DELETE', new RegExp(`^/api/v1/namespaces/${NS}/pods/redis-cluster-1$`), (_req, res) => json(res, 200, pod(NS, 1)));
    await running.deletePod('redis-cluster-1');
    expect(reads).toBeGreaterThanOrEqual(4);
  });

  it('refuses to fill a volume with more than twice its claim free (it shares the node\'s disk), after only a df in the Redis container', async () => {
    // kind's local-path volumes are folders on the node: df shows the node's disk, 75 GiB free for a 1Gi claim.
    api.onExec(({ command }) => (command[0] === 'df'
      ? { stdout: 'Filesystem           1024-blocks    Used Available Capacity Mounted on\n/dev/vda             264091928 29158880 78643200  27% /data\n', exitCode: 0 }
      : { stderr: 'unexpected', exitCode: 1 }));
    await expect(running.fillDisk('redis-cluster-0', { path: '/data', leaveBytes: 0 })).rejects.toThrow(
      "fillDisk: redis-cluster-0's volume at /data (claim data-redis-cluster-0, requests.storage 1Gi) has 75Gi free, more than twice its request: its storage is not limited to the claim (it shares a disk, as hostPath and local-path volumes do), and filling it would fill the node's disk");
    expect(api.execs).toEqual([{ pod: 'redis-cluster-0', container: 'redis', command: ['df', '-Pk', '/data'] }]);
    await expect(running.fillDisk('redis-cluster-0', { path: '/conf', leaveBytes: 0 })).rejects.toThrow('fillDisk: redis-cluster-0 has no PersistentVolumeClaim mounted at /conf');
    // Nothing was filled, so there is nothing to free: no exec.
    await running.freeDisk('redis-cluster-0');
    expect(api.execs).toHaveLength(1);
  });

  it('fills a volume limited to its claim from inside the Redis container, and freeDisk removes the file', async () => {
    let free = 1_000_000; // KiB: a 1Gi volume, nearly empty
    api.onExec(({ command }) => {
      if (command[0] === 'df') return { stdout: `Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sdb 1030828 30828 ${free} 3% /data\n`, exitCode: 0 };
      if (command[0] === 'sh') {
        free = 0;
        return { stdout: '-rw-r--r--    1 999      1000     1024000000 Dec  3 11:00 /data/.redis-chaos-fill\n', exitCode: 0 };
      }
      return { exitCode: 0 };
    });
    expect(await running.fillDisk('redis-cluster-0', { path: '/data', leaveBytes: 0 })).toEqual({ freeBytes: 0, filledBytes: 1_024_000_000 });
    expect(api.execs[1]!.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(api.execs[1]!.command[2]).toMatch(/fallocate -l 1024000000 "\$f" .*\|\| dd if=\/dev\/zero of="\$f" bs=1048576 count=976/);
    await running.freeDisk('redis-cluster-0');
    expect(api.execs.at(-1)).toEqual({ pod: 'redis-cluster-0', container: 'redis', command: ['rm', '-f', '/data/.redis-chaos-fill'] });
  });
});

describe('nodes through the API', () => {
  const up = upEach();
  let running: RunningPlatform;
  beforeEach(() => {
    running = up.running;
  });

  it("lists nodes with their zones, and gives each pod its node's zone", async () => {
    expect((await running.nodes()).map((n) => [n.name, n.zone, n.ready, n.unschedulable])).toEqual([
      ['redis-chaos-worker', 'zone-a', true, false], ['redis-chaos-worker2', 'zone-b', true, false], ['redis-chaos-worker3', 'zone-c', true, false]]);
    const pods = await running.pods();
    expect(pods.map((p) => `${p.node}/${p.zone}`)).toEqual(['redis-chaos-worker/zone-a', 'redis-chaos-worker2/zone-b', 'redis-chaos-worker3/zone-c', 'redis-chaos-worker/zone-a', 'redis-chaos-worker2/zone-b', 'redis-chaos-worker3/zone-c']);
  });

  it('cordons and uncordons with a merge patch of spec.unschedulable, and uncordons at teardown what it left cordoned', async () => {
    api.on('PATCH', /^\/api\/v1\/nodes\/[^/]+$/, (req, res) => json(res, 200, { metadata: { name: req.path.split('/').at(-1) }, ...JSON.parse(req.body) }));
    await running.cordon('redis-chaos-worker2');
    await running.cordon('redis-chaos-worker3');
    await running.uncordon('redis-chaos-worker3');
    await running.down();
    const patches = api.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith('/api/v1/nodes/'));
    expect(patches.map((r) => [r.path.split('/').at(-1), r.contentType, JSON.parse(r.body)])).toEqual([
      ['redis-chaos-worker2', 'application/merge-patch+json', { spec: { unschedulable: true } }],
      ['redis-chaos-worker3', 'application/merge-patch+json', { spec: { unschedulable: true } }],
      ['redis-chaos-worker3', 'application/merge-patch+json', { spec: { unschedulable: false } }],
      ['redis-chaos-worker2', 'application/merge-patch+json', { spec: { unschedulable: false } }],
    ]);
  });

  const evictionApi = (versions: string[], answer: 429 | 201) => {
    api.on('GET', /^\/apis\/policy\/?$/, (_req, res) => json(res, 200, { kind: 'APIGroup', apiVersion: 'v1', name: 'policy', versions: versions.map((v) => ({ groupVersion: `policy/${v}`, version: v })), preferredVersion: { groupVersion: `policy/${versions[0]}`, version: versions[0] } }));
    let reads = 0;
    api.on('GET', new RegExp(`^/api/v1/namespaces/${NS}/pods/redis-cluster-3$`), (_req, res) => (answer === 429 || reads++ === 0 ? json(res, 200, pod(NS, 3)) : json(res, 404, status(404, 'NotFound', 'gone'))));
    api.on('POST', new RegExp(`^/api/v1/namespaces/${NS}/pods/redis-cluster-3/eviction$`), (req, res) => (answer === 429
      ? json(res, 429, status(429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.'))
      : json(res, 201, JSON.parse(req.body))));
  };

  it('evicts through policy/v1beta1 on a server without policy/v1 (Kubernetes 1.20), and waits until the pod is gone', async () => {
    evictionApi(['v1beta1'], 201);
    expect(await running.evict('redis-cluster-3')).toEqual({ evicted: true, reason: '' });
    const post = api.requests.find((r) => r.method === 'POST' && r.path.endsWith('/eviction'))!;
    expect(JSON.parse(post.body)).toMatchObject({ apiVersion: 'policy/v1beta1', kind: 'Eviction', metadata: { name: 'redis-cluster-3', namespace: NS } });
  });

  it("uses policy/v1 where the server has it, and returns a PodDisruptionBudget's 429 as a refusal with its message", async () => {
    evictionApi(['v1', 'v1beta1'], 429);
    expect(await running.evict('redis-cluster-3')).toEqual({ evicted: false, reason: "Cannot evict pod as it would violate the pod's disruption budget." });
    expect(JSON.parse(api.requests.find((r) => r.path.endsWith('/eviction'))!.body).apiVersion).toBe('policy/v1');
  });

  it("crashes a node by freezing this run's Redis pods on it through the node agent (SIGSTOP), and restoreNode ends them with SIGKILL", async () => {
    api.on('GET', new RegExp(`^/api/v1/namespaces/${NS}/pods/redis-cluster-\\d$`), (req, res) => json(res, 200, pod(NS, Number(req.path.at(-1)))));
    api.onExec(() => ({ stdout: '4242\n', exitCode: 0 }));
    expect(await running.crashNode('redis-chaos-worker2')).toEqual(['redis-cluster-1', 'redis-cluster-4']);
    const agent = agentName('redis-chaos-worker2');
    const signals = () => api.execs.map((e) => [e.pod, /kill -([A-Z]+)/.exec(e.command[2] ?? '')?.[1]]);
    expect(signals()).toEqual([[agent, 'STOP'], [agent, 'STOP']]);
    expect((await running.pods()).filter((p) => p.held).map((p) => p.name)).toEqual(['redis-cluster-1', 'redis-cluster-4']);
    await expect(running.crashNode('redis-chaos-worker2')).rejects.toThrow('redis-chaos-worker2 is already down');
    await running.restoreNode('redis-chaos-worker2');
    expect(signals().slice(2)).toEqual([[agent, 'KILL'], [agent, 'KILL']]);
    expect((await running.pods()).some((p) => p.held)).toBe(false);
  });
});
