import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appEnvOf, WAIT_TIMEOUT_MS } from '../session/options.ts';
import { optionsFromEnv, optionsToEnv } from '../session/options.ts';
import { redisSettingsText } from '../report/summary.ts';
import { setAppEnv } from './app-env.ts';
import { loadManifests, resolveSystem } from './index.ts';

const REPO_MANIFESTS = path.resolve(import.meta.dirname, '../../manifests');

describe('--wait-replicas in the app Deployment', () => {
  it('sets WAIT_REPLICAS and WAIT_TIMEOUT_MS on the parsed container (local) and the raw document (Kubernetes), replacing a value the manifests set', async () => {
    const system = resolveSystem(await loadManifests(REPO_MANIFESTS));
    setAppEnv(system, { COUNTER_KEY: 'other', ...appEnvOf({ waitReplicas: 1 }) });
    const want = [{ name: 'REDIS_NODES', value: 'redis-cluster:6379' }, { name: 'PORT', value: '5000' }, { name: 'COUNTER_KEY', value: 'other' }, { name: 'WAIT_REPLICAS', value: '1' }, { name: 'WAIT_TIMEOUT_MS', value: String(WAIT_TIMEOUT_MS) }];
    expect(system.app!.container.env).toEqual(want);
    expect(system.app!.deployment.template.containers[0]!.env).toEqual(want);
    const doc = system.manifests.documents.find((d) => d.source.file === system.app!.deployment.source.file)!.object as { spec: { template: { spec: { containers: { env: unknown[] }[] } } } };
    expect(doc.spec.template.spec.containers[0]!.env).toEqual(want);
  });

  it('sets nothing without the flag, and travels to the scenario workers through its twin', () => {
    expect(appEnvOf({ waitReplicas: null })).toEqual({});
    expect(appEnvOf({})).toEqual({});
    const options = { ...optionsFromEnv({}), waitReplicas: 1 };
    expect(optionsFromEnv(optionsToEnv(options)).waitReplicas).toBe(1);
    expect(optionsFromEnv(optionsToEnv({ ...options, waitReplicas: null })).waitReplicas).toBeNull();
  });

  it('shows in the Redis settings of the report header', () => {
    const base = { nodeTimeoutOverrideMs: 3000, manifestNodeTimeoutMs: 5000, redisConfig: {} };
    expect(redisSettingsText({ ...base, waitReplicas: { replicas: 1, timeoutMs: 500 } })).toBe('node timeout 3000 ms (--node-timeout override) · --wait-replicas 1 (WAIT 1 500 ms after each write)');
    expect(redisSettingsText(base)).toBe('node timeout 3000 ms (--node-timeout override)');
  });
});
