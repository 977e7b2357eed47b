// Names and kustomize on the real node: the harness finds the Redis StatefulSet, its Services and
// the app by what they run (harness/manifests/discover.ts), and renders a kustomization with
// `kubectl kustomize` (harness/manifests/kustomize.ts). examples/kustomized (the seed under
// namePrefix `shop-` and commonLabels) and examples/renamed (StatefulSet `cache`, app `counter`,
// nested files) each run one scenario (kill-master, delete-pod-0: CI's time is counted); the
// faults must hit pods named as the StatefulSet names them.
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO } from './node.ts';
import { recordFigures, scenariosOnNode, verdictMessage, type CliRun } from './run.ts';

const node = inject('k8sNode');

const FOLDERS = [
  { folder: 'kustomized', scenarios: ['kill-master'], pod: /^shop-redis-cluster-\d$/, pod0: 'shop-redis-cluster-0' },
  { folder: 'renamed', scenarios: ['delete-pod-0'], pod: /^cache-\d$/, pod0: 'cache-0' },
];

// Both folders at once, one cluster each, as test:k8s's other files run two: CI's time is counted.
const runs = new Map<string, CliRun>();
beforeAll(async () => {
  await Promise.all(FOLDERS.map(async ({ folder, scenarios }) => {
    const run = await scenariosOnNode(node, `names-${folder}`, ['--manifests', path.join(REPO, 'examples', folder), '--node-timeout', '3000',
      ...scenarios.flatMap((s) => ['--scenario', s])]);
    if (run.summary) await recordFigures('kubernetes', `examples/${folder}`, run.summary.scenarios);
    runs.set(folder, run);
  }));
});

describe.each(FOLDERS)('examples/$folder on a real Kubernetes node', ({ folder, scenarios: SCENARIOS, pod, pod0 }) => {
  it('completes with a summary and no harness error', () => {
    const run = runs.get(folder)!;
    expect(run.summary, `no summary.json; see ${run.log}`).not.toBeNull();
    expect(run.summary!.error, run.log).toBeNull();
    expect(run.exitCode, run.log).toBe(0);
  });

  it.each(SCENARIOS)('%s passes, its faults on pods the StatefulSet named', async (name) => {
    const run = runs.get(folder)!;
    const s = run.summary?.scenarios.find((x) => x.name === name);
    expect(s?.status, await verdictMessage(run, name, 'passed', node)).toBe('passed');
    expect(s!.faults.length).toBeGreaterThan(0);
    for (const f of s!.faults) expect(f.target, JSON.stringify(f)).toMatch(pod);
    if (name === 'delete-pod-0') expect(s!.faults.map((f) => f.target)).toContain(pod0);
  });
});
