// The app's Deployment on the local platform: its pods started beside the Redis pods once a
// scenario asks for them, their URL and their logs.

import { requireApp } from '../../manifests/index.ts';
import { waitUntil, NotYet } from '../../util/wait.ts';
import type { AppEndpoint } from '../types.ts';
import { appImage } from './app-bundle.ts';
import { podContext } from './pod-setup.ts';
import { freePort } from './addresses.ts';
import { LocalPod } from './pod.ts';
import { ownLogTail, podLogs } from './pod-logs.ts';
import { assertUp, isReady, stopAll, type LocalRun } from './run-state.ts';

export async function deployApp(run: LocalRun, { signal, timeoutMs = 30_000 }: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<AppEndpoint> {
  assertUp(run);
  const app = requireApp(run.options.system);
  if (run.appPods.length > 0) return { url: appUrl(run) };
  run.teardown.defer('app pods', () => stopAll(run.appPods.map((a) => a.pod)));
  for (let i = 0; i < app.deployment.replicas; i++) {
    // Process mode: a free port on loopback. Namespaces mode: the container's own port on its pod IP.
    const port = run.network ? (app.container.ports[0]?.containerPort ?? 5000) : await freePort();
    const ctx = podContext(run.setup, app.deployment.template, app.deployment.source, [], [], { port, bundle: await appImage(run) });
    const pod = new LocalPod(`${app.deployment.name}-${run.info.runId.slice(-4)}${i}`, i, ctx);
    run.appPods.push({ pod, port });
    await pod.create();
  }
  for (const { pod } of run.appPods) {
    await waitUntil(`app pod ${pod.name} ready`, async () => {
      if (!(await isReady(run, pod))) throw new NotYet(`${pod.name} is not ready; log: ${await ownLogTail(run, pod.name, 5)}`);
    }, { timeoutMs, intervalMs: 100, signal });
  }
  // Like a ClusterIP Service with one endpoint per replica; the harness talks to the first.
  return { url: appUrl(run) };
}

export async function appLogs(run: LocalRun, { tailLines }: { tailLines?: number } = {}): Promise<string> {
  const first = run.appPods[0];
  return first ? podLogs(run, first.pod.name, { tailLines }) : '';
}

function appUrl(run: LocalRun): string {
  const first = run.appPods[0]!;
  return `http://${run.network ? first.pod.ip : '127.0.0.1'}:${first.port}`;
}
