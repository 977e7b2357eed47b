import { cp, readFile, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshot } from '../cluster/index.ts';
import { loadManifests, resolveSystem } from '../manifests/index.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { REPO_MANIFESTS, startLocalCluster } from '../testing/local-cluster.ts';
import { NotYet, waitUntil } from '../util/wait.ts';
import { configConsistentChecker } from './config-consistent.ts';

let platform: RunningPlatform | undefined;
afterAll(async () => {
  await platform?.down();
});

describe('config-consistent on a real defect', () => {
  it('fails when update-node.sh no longer rewrites the myself IP and a pod is re-created', async () => {
    // The repo's manifests with the one line that matters taken out.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'broken-manifests-'));
    await cp(REPO_MANIFESTS, dir, { recursive: true });
    const cm = path.join(dir, 'redis-cluster', 'configmap.yaml');
    await writeFile(cm, (await readFile(cm, 'utf8')).replace(/^ {4}sed -i -e .*$/m, '    true'));
    const system = resolveSystem(await loadManifests(dir));
    ({ platform } = await startLocalCluster({ system }));
    await platform.deletePod('redis-cluster-0');
    const ip = (await platform.pods())[0]!.ip!;
    const result = await waitUntil('the re-created pod answering', async () => {
      const t = await snapshot(platform!);
      if (!t.views[0]!.reachable) throw new NotYet('redis-cluster-0 not answering yet');
      return configConsistentChecker({ final: t } as Parameters<typeof configConsistentChecker>[0]);
    }, { timeoutMs: 10_000 });
    expect(result.valid).toBe(false);
    expect(result.message).toContain(`redis-cluster-0 believes its own address is`);
    expect(result.message).toContain(`but the pod's IP is ${ip}`);
  });
});
