// The Kubernetes platform itself on the real node: what only a real API server, kubelet and CNI
// can show. The port-forward a cached client uses must survive its pod being replaced (it did not:
// the local socket outlived the WebSocket); and a pod's network is the node's own bridge, with no
// way off this machine.
import { Exec, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadManifests, resolveSystem } from '../../harness/manifests/index.ts';
import { KubernetesPlatform } from '../../harness/platform/kubernetes/kubernetes-platform.ts';
import { execIn } from '../../harness/platform/kubernetes/streams.ts';
import type { RunningPlatform } from '../../harness/platform/types.ts';
import { newRunId } from '../../harness/util/run-id.ts';
import { NotYet, waitUntil } from '../../harness/util/wait.ts';
import { REPO } from './node.ts';
import path from 'node:path';

const node = inject('k8sNode');
let running: RunningPlatform;
let exec: Exec;

beforeAll(async () => {
  const system = resolveSystem(await loadManifests(path.join(REPO, 'manifests')));
  running = await new KubernetesPlatform({
    system, runId: newRunId(), context: node.context, allowContext: node.context, keep: false, nodeTimeoutOverrideMs: 3000, kubeconfig: node.kubeconfig,
  }).up();
  const kc = new KubeConfig();
  kc.loadFromFile(node.kubeconfig);
  exec = new Exec(kc);
});
afterAll(async () => {
  await running?.down();
});

const inPod = (pod: string, argv: string[]) => execIn(exec, running.info.namespace!, pod, 'redis', argv, 20_000);

describe('the Kubernetes platform on a real node', () => {
  it('reaches a pod again through its port-forward after the pod was deleted and re-created', async () => {
    expect(await running.redis('redis-cluster-0', ['PING'])).toBe('PONG');
    const before = (await running.pods())[0]!.incarnation;
    await running.deletePod('redis-cluster-0');
    // The same cached connection's forward: it must redial the new pod, not hang on the dead socket.
    const reply = await waitUntil('redis-cluster-0 answers again', async () => {
      const p = (await running.pods())[0]!;
      if (p.incarnation === before || p.phase !== 'Running') throw new NotYet(`${p.name} ${p.phase}`);
      return running.redis('redis-cluster-0', ['PING'], { timeoutMs: 3000 }).catch((e: unknown) => { throw new NotYet(String(e)); });
    }, { timeoutMs: 180_000, intervalMs: 1000 });
    expect(reply).toBe('PONG');
  });

  it("gives pods no default route, so nothing leaves the node's bridge", async () => {
    const routes = await inPod('redis-cluster-1', ['cat', '/proc/net/route']);
    const destinations = routes.stdout.trim().split('\n').slice(1).map((l) => l.split('\t')[1]);
    expect(destinations.length).toBeGreaterThan(0);
    expect(destinations).not.toContain('00000000');
    const out = await inPod('redis-cluster-1', ['redis-cli', '-h', '192.0.2.1', '-p', '6379', '--no-raw', 'PING']);
    expect(`${out.stdout}${out.stderr}`).toMatch(/Network is unreachable/);
  });

  it("resolves the cluster's names through the node's DNS stand-in", async () => {
    const ns = running.info.namespace!;
    const svc = await inPod('redis-cluster-1', ['getent', 'hosts', `redis-cluster.${ns}.svc.cluster.local`]);
    expect(svc.exitCode).toBe(0);
    expect(svc.stdout).toMatch(/^\d+\.\d+\.\d+\.\d+\s+redis-cluster/);
    const short = await inPod('redis-cluster-1', ['getent', 'hosts', 'redis-cluster']);
    expect(short.stdout.split(/\s+/)[0]).toBe(svc.stdout.split(/\s+/)[0]);
  });
});
