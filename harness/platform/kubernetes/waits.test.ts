// Contract test against the mock API server (testing/mock-api.ts): what is under test is what a
// wait leaves on the run's signal, which no real cluster shows any better.
import { getEventListeners } from 'node:events';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockApi, watchStream } from './testing/mock-api.ts';
import { watchUntil } from './waits.ts';

let api: MockApi;
beforeEach(async () => {
  api = await new MockApi().start();
  // The watch reports the object ready: each wait ends on its first watch.
  api.on('GET', /^\/apis\/apps\/v1\/namespaces\/ns\/deployments$/, (_req, res) => watchStream(res, [{ type: 'MODIFIED', object: { metadata: { name: 'app' }, ready: true } }]));
});
afterEach(() => api.close());

describe('watchUntil', () => {
  it("leaves no listener on the run's signal once it has returned", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(await api.kubeconfig('mock'));
    const run = new AbortController();
    // A run's waits share its signal: one listener left by each passed Node's limit of 10
    // (MaxListenersExceededWarning in CI's Kubernetes run, 13 scenarios at --parallel 2).
    for (let i = 0; i < 12; i++) {
      const items = await watchUntil<{ metadata: { name: string }; ready?: boolean }>(kc, 'app ready',
        async () => ({ items: [{ metadata: { name: 'app' } }], resourceVersion: '1' }),
        '/apis/apps/v1/namespaces/ns/deployments', {}, (xs) => xs.some((x) => x.ready === true), { timeoutMs: 5000, signal: run.signal });
      expect(items[0]?.ready).toBe(true);
    }
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });
});
