// Ready as the StatefulSet controller counts it (OrderedReady's gate), against Ready to serve.
import { describe, expect, it } from 'vitest';
import { isStatefulSetReady, type LocalRun } from './run-state.ts';
import type { LocalPod } from './pod.ts';

const runWith = (readinessProbe?: object) => ({ options: { system: { redis: { container: { readinessProbe } } } } }) as unknown as LocalRun;
const pod = (phase: string, state: string | undefined) => ({ phase, containers: state ? [{ state }] : [] }) as unknown as LocalPod;

describe('isStatefulSetReady without a readiness probe (Kubernetes: Ready once the container runs)', () => {
  it('is true once the main container runs, before anything listens', async () => {
    // No IP and no port here: isReady would be false (it connects to the client port).
    expect(await isStatefulSetReady(runWith(), pod('Running', 'running'))).toBe(true);
  });

  it('is false while the pod is not Running or its container is not running', async () => {
    expect(await isStatefulSetReady(runWith(), pod('Pending', undefined))).toBe(false);
    expect(await isStatefulSetReady(runWith(), pod('Running', 'waiting'))).toBe(false);
    expect(await isStatefulSetReady(runWith(), pod('Terminating', 'running'))).toBe(false);
  });
});

describe('isStatefulSetReady with a readiness probe', () => {
  it('leaves it to the probe: a running container whose probe cannot pass (no IP yet) is not Ready', async () => {
    const run = { ...runWith({ tcpSocket: { port: 6379 }, periodSeconds: 1, timeoutSeconds: 1 }), appPods: [] } as unknown as LocalRun;
    expect(await isStatefulSetReady(run, pod('Running', 'running'))).toBe(false);
  });
});
