// examples/hardened on the real node, where Kubernetes 1.20 allows: its PodDisruptionBudget is
// policy/v1 (1.21+), so the copy applied here says policy/v1beta1, the same fields. It passes the
// full restart that the repo's manifests fail, as on the local platform (the gate's baseline run);
// and the gate, on Kubernetes, finds the repo's manifests a regression against it.
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO } from './node.ts';
import { gateOnNode, hardenedFor120, nodeTrail, recordFigures, scenarioTrail, scenariosOnNode, verdictMessage, type CliRun } from './run.ts';

const node = inject('k8sNode');

// full-restart is not run here: the gate test below runs it alone on the node, with the same
// manifests and flags, as its baseline (--serial), and asserts that run passed.
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

  it.each(Object.entries(EXPECTED))('%s: %s, as on the local platform', async (name, expected) => {
    const s = run.summary?.scenarios.find((x) => x.name === name);
    expect(s?.status, await verdictMessage(run, name, expected, node)).toBe(expected);
  });

  // One run per side, not the default three: a full restart the repo's manifests cannot survive
  // fails in any run, and CI's time stays what it was. --serial: two full restarts at once starved
  // this 2-core node (probes timed out, a pod's start waited a minute for its peers' DNS names),
  // and the baseline failed its own run in 3 of 6 (2026-12-05).
  it('the gate on Kubernetes, one side at a time, finds the repo\'s manifests a regression against it (full-restart)', async () => {
    const gate = await gateOnNode(node, 'gate', ['--baseline', dir, '--candidate', path.join(REPO, 'manifests'), '--scenario', 'full-restart', '--node-timeout', '3000', '--seed', '7', '--repeat', '1', '--serial']);
    // The checks that did not pass, the baseline's first, lead a failure's message: CI prints its start.
    const checks = (side: string) => gate.stdout.split('\n').filter((l) => l.startsWith(`[${side} 1/1] `) && /^\S+ \S+ \S+ full-restart \(\+[^)]*\): (FAIL|UNKNOWN) /.test(l)).map((l) => l.slice(0, 300));
    // A baseline that did not pass (CI72: a pod that never listened) also gets its trail: the
    // clone goes with CI's run, and with it the gate's folder.
    const baselinePassed = /^\[baseline 1\/1\] {3}full-restart {2}passed/m.test(gate.stdout);
    const trail = baselinePassed ? [] : [gate.dir ? await scenarioTrail(path.join(gate.dir, 'baseline-1', 'latest'), 'full-restart') : '--- (the gate printed no report line: no folder to read)', await nodeTrail(node)];
    const notPassed = [...checks('baseline'), ...checks('candidate'), `(log: ${gate.log})`, ...trail].join('\n');
    expect(gate.exitCode, notPassed).toBe(1);
    // The hardened set passes full-restart, as on the local platform; the repo's manifests fail it.
    expect(gate.stdout, notPassed).toMatch(/^\[baseline 1\/1\] {3}full-restart {2}passed/m);
    expect(gate.stdout, notPassed).toMatch(/^\[candidate 1\/1\] {3}full-restart {2}failed/m);
    // One side at a time: the candidate's run started once the baseline's had ended.
    const ended = gate.stdout.indexOf('[baseline 1/1] verdict: ');
    expect(ended).toBeGreaterThan(0);
    expect(gate.stdout.indexOf('[candidate 1/1] [00:00.0] setup: run ')).toBeGreaterThan(ended);
    expect(gate.stdout, notPassed).toMatch(/gate: regressed \(exit 1\)/);
    expect(gate.stdout, notPassed).toMatch(/full-restart\s+regressed/);
  });
});
