// examples/hardened on the real node, where Kubernetes 1.20 allows: its PodDisruptionBudget is
// policy/v1 (1.21+), so the copy applied here says policy/v1beta1, the same fields. It passes the
// full restart that the repo's manifests fail, as on the local platform (the gate's baseline run);
// and the gate, on Kubernetes, finds the repo's manifests a regression against it.
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO } from './node.ts';
import { gateOnNode, hardenedFor120, recordFigures, scenariosOnNode, why, type CliRun } from './run.ts';

const node = inject('k8sNode');

// full-restart is not run here: the gate test below runs it on the same manifests, flags and node
// as its baseline, and asserts that run passed. Run twice, it cost CI's 45 minutes about two.
const EXPECTED = { 'delete-pod-0': 'passed', 'kill-master': 'passed' } as const;

describe('examples/hardened on a real Kubernetes node', () => {
  let dir: string;
  let run: CliRun;
  beforeAll(async () => {
    dir = await hardenedFor120();
    // One cluster at a time: its exec probes (ready.sh every second, alive.sh every 3 s) cost this
    // 2-core node about 0.1 core per pod per probe a second (containerd, runc exec, the script).
    // Two such clusters took 1.6 cores beside the control plane, and alive.sh's 3 s deadline then
    // passed unanswered and restarted healthy nodes mid-scenario (CI, 2026-12-05).
    run = await scenariosOnNode(node, 'hardened', ['--manifests', dir, '--node-timeout', '3000', '--parallel', '1', ...Object.keys(EXPECTED).flatMap((s) => ['--scenario', s])]);
    if (run.summary) await recordFigures('kubernetes', 'examples/hardened', run.summary.scenarios);
  });

  it.each(Object.entries(EXPECTED))('%s: %s, as on the local platform', (name, expected) => {
    const s = run.summary?.scenarios.find((x) => x.name === name);
    expect(s?.status, `${name}: ${why(s)} (log: ${run.log})`).toBe(expected);
  });

  // One run per side, not the default three: a full restart the repo's manifests cannot survive
  // (the verdicts above) fails in any run, and CI's time stays what it was.
  it('the gate on Kubernetes finds the repo\'s manifests a regression against it (full-restart)', async () => {
    const gate = await gateOnNode(node, 'gate', ['--baseline', dir, '--candidate', path.join(REPO, 'manifests'), '--scenario', 'full-restart', '--node-timeout', '3000', '--seed', '7', '--repeat', '1']);
    expect(gate.exitCode, gate.log).toBe(1);
    // The baseline's own verdict: the hardened set passes full-restart, as on the local platform.
    expect(gate.stdout, gate.log).toMatch(/^\[baseline 1\/1\] {3}full-restart {2}passed/m);
    expect(gate.stdout).toMatch(/gate: regressed \(exit 1\)/);
    expect(gate.stdout).toMatch(/full-restart\s+regressed/);
  });
});
