// Nodes through a real API server: what the mock can only assert as requests. On the node's
// Kubernetes 1.20, examples/hardened's PodDisruptionBudget (policy/v1beta1 there) lets one pod be
// evicted; with the only node cordoned its replacement stays Pending with the scheduler's reason,
// and the next eviction is refused until the node is uncordoned. The drain scenario's evictions,
// PDB refusals and uncordon are these calls.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadManifests, resolveSystem } from '../../harness/manifests/index.ts';
import { KubernetesPlatform } from '../../harness/platform/kubernetes/kubernetes-platform.ts';
import type { RunningPlatform } from '../../harness/platform/types.ts';
import { newRunId } from '../../harness/util/run-id.ts';
import { NotYet, waitUntil } from '../../harness/util/wait.ts';
import { hardenedFor120 } from './run.ts';

const node = inject('k8sNode');
let running: RunningPlatform;

beforeAll(async () => {
  const system = resolveSystem(await loadManifests(path.join(await hardenedFor120())));
  running = await new KubernetesPlatform({
    system, runId: newRunId(), context: node.context, allowContext: node.context, keep: false, nodeTimeoutOverrideMs: 3000, kubeconfig: node.kubeconfig,
  }).up();
});
afterAll(async () => {
  await running?.down();
});

describe('nodes, cordons and evictions on a real node', () => {
  it('lists the one node, and every pod on it', async () => {
    const nodes = await running.nodes();
    expect(nodes.map((n) => [n.ready, n.unschedulable])).toEqual([[true, false]]);
    expect(new Set((await running.pods()).map((p) => p.node))).toEqual(new Set([nodes[0]!.name]));
  });

  it('evicts one pod, refuses the next while its replacement is Pending on a cordoned node, and schedules it again after the uncordon', async () => {
    const [only] = await running.nodes();
    await running.cordon(only!.name);
    try {
      expect(await running.evict('redis-cluster-5')).toEqual({ evicted: true, reason: '' });
      const pending = await waitUntil('redis-cluster-5 Pending on the cordoned node', async () => {
        const p = (await running.pods()).find((x) => x.name === 'redis-cluster-5');
        if (p?.phase !== 'Pending' || !p.reason) throw new NotYet(`${p?.phase ?? 'absent'} ${p?.reason ?? ''}`);
        return p;
      }, { timeoutMs: 60_000, intervalMs: 250 });
      expect(pending.reason).toMatch(/^Unschedulable: 0\/1 nodes are available: 1 node\(s\) were unschedulable/);
      const refused = await running.evict('redis-cluster-4');
      expect(refused.evicted).toBe(false);
      expect(refused.reason).toMatch(/Cannot evict pod as it would violate the pod's disruption budget/);
    } finally {
      await running.uncordon(only!.name);
    }
    await waitUntil('redis-cluster-5 ready again', async () => {
      const p = (await running.pods()).find((x) => x.name === 'redis-cluster-5');
      if (!p?.ready) throw new NotYet(`${p?.phase ?? 'absent'} ${p?.reason ?? ''}`);
    }, { timeoutMs: 120_000, intervalMs: 500 });
    expect((await running.nodes())[0]!.unschedulable).toBe(false);
  });
});
