// The scenarios on a real Kubernetes node (Kubernetes 1.20.2, built from Debian's packages):
// each gives a verdict, never an error, and the verdict is the local platform's on the same
// manifests (docs/verdicts.md, "Verdicts in both isolation modes"). Each scenario gets a cluster of its own
// (--parallel 2), as on the local platform by default.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { recordFigures, scenariosOnNode, verdictMessage, type CliRun } from './run.ts';

const node = inject('k8sNode');

/** The repo's manifests, as the local platform judges them in namespaces mode. */
const EXPECTED: Record<string, 'passed' | 'failed'> = {
  'delete-pod-0': 'passed',
  'delete-pod-1': 'passed',
  'delete-pods-0-and-1': 'passed',
  'kill-master': 'passed',
  'crash-master': 'passed',
  'pause-master': 'passed',
  'partition-master': 'passed',
  'partition-replica': 'passed',
  // The seed's update-node.sh fixes only the myself line: on fresh IPs no node finds its peers.
  'full-restart': 'failed',
  'rolling-restart': 'passed',
  'master-and-replica': 'passed',
  'failover-loop': 'passed',
  // One node holds all six pods: its crash takes every shard whole (failure-domains), as on the
  // local platform with the pods forced onto one node.
  'node-crash': 'failed',
};

describe('the repo\'s manifests on a real Kubernetes node', () => {
  let run: CliRun;
  beforeAll(async () => {
    process.env.HARNESS_FAILOVER_ROUNDS = '3';
    run = await scenariosOnNode(node, 'manifests', ['--node-timeout', '3000', '--parallel', '2', ...Object.keys(EXPECTED).flatMap((s) => ['--scenario', s])]);
    if (run.summary) await recordFigures('kubernetes', 'manifests/', run.summary.scenarios);
  });

  it('completes with a summary and no harness error', () => {
    expect(run.summary, `no summary.json; see ${run.log}`).not.toBeNull();
    expect(run.summary!.error, run.log).toBeNull();
    expect(run.exitCode).toBe(1); // full-restart fails, as it must
  });

  it.each(Object.entries(EXPECTED))('%s: %s, as on the local platform', async (name, expected) => {
    const s = run.summary?.scenarios.find((x) => x.name === name);
    expect(s?.status, await verdictMessage(run, name, expected, node)).toBe(expected);
  });
});

describe('a scenario this node cannot run', () => {
  it('slow-network: refused in one line naming the missing netem, not a verdict', async () => {
    const run = await scenariosOnNode(node, 'slow-network', ['--node-timeout', '3000', '--scenario', 'slow-network']);
    const s = run.summary?.scenarios.find((x) => x.name === 'slow-network');
    expect(run.exitCode).toBe(2);
    expect(s?.status).toBe('error');
    expect(s?.error ?? '').toMatch(/a delay needs tc netem, and node \S+ has none/);
    expect((s?.error ?? '').split('\n')).toHaveLength(1);
  });
});
