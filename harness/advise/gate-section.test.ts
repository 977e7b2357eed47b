import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gateHtml, gateMarkdown, type GateResult } from '../gate/report.ts';
import { adviceConsole, compareAdvice } from './gate-section.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SEED = path.join(ROOT, 'manifests');
const HARDENED = path.join(ROOT, 'examples/hardened');

/** The seed with a probe that PINGs (a new risk; its timeout long enough for no liveness-timeout note), and a comment on top that moves every line of the StatefulSet. */
async function candidate(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'advise-gate-'));
  await cp(SEED, dir, { recursive: true });
  const sts = path.join(dir, 'redis-cluster', 'statefulset.yaml');
  const text = await readFile(sts, 'utf8');
  await writeFile(sts, `# a change\n# over two lines\n${text.replace('        env:\n', '        livenessProbe:\n          exec:\n            command: ["redis-cli", "ping"]\n          timeoutSeconds: 10\n        env:\n')}`);
  return dir;
}

const gate = (advice: GateResult['advice']): GateResult => {
  const side = (label: 'baseline' | 'candidate') => ({ label, spec: label, kind: 'dir' as const, dir: '/x', commit: null });
  return { gateId: 'g', verdict: 'no regression', exitCode: 0, error: null, baseline: side('baseline'), candidate: side('candidate'), repeat: 1, serial: false, seed: 1, thresholds: {}, runs: [], scenarios: [], advice };
};

describe("the gate's advice, baseline and candidate side by side", () => {
  it('marks what the candidate brings, keeps what both have (at each side\'s own line), and shows what it fixes', async () => {
    const a = await compareAdvice(SEED, await candidate());
    expect(a.baseline).toEqual({ risks: 4, notes: 0, error: null });
    expect(a.candidate).toEqual({ risks: 5, notes: 0, error: null });
    expect(a.newRisks).toBe(1);
    expect(a.rows.map((r) => [r.change, r.rule, r.baseline, r.candidate])).toEqual([
      ['new', 'liveness-probe', null, 'redis-cluster/statefulset.yaml:36'],
      ['same', 'myself-only-rewrite', 'redis-cluster/configmap.yaml:16', 'redis-cluster/configmap.yaml:16'],
      ['same', 'pod-disruption-budget', 'redis-cluster/statefulset.yaml:9', 'redis-cluster/statefulset.yaml:11'],
      ['same', 'anti-affinity', 'redis-cluster/statefulset.yaml:22', 'redis-cluster/statefulset.yaml:24'],
      ['same', 'readiness-probe', 'redis-cluster/statefulset.yaml:24', 'redis-cluster/statefulset.yaml:26'],
    ]);
    expect(adviceConsole(a)).toEqual([
      'advice: baseline 4 risks; candidate 5 risks, 1 new risk',
      expect.stringMatching(/^ {2}new: redis-cluster\/statefulset\.yaml:36 {2}liveness-probe {2}the liveness probe \(redis-cli ping\) PINGs Redis .* \(shown by: crash-master\)$/),
    ]);
    const fixed = await compareAdvice(SEED, HARDENED);
    expect([fixed.newRisks, fixed.rows.every((r) => r.change === 'gone')]).toEqual([0, true]);
  });

  it('in gate.md, gate.html and gate.json', async () => {
    const a = await compareAdvice(SEED, await candidate());
    const md = gateMarkdown(gate(a));
    expect(md).toContain('#### Advice before any run (`npm run advise`): **1 new risk**');
    expect(md).toContain('| 🆕 new | liveness-probe | the liveness probe (redis-cli ping) PINGs Redis');
    expect(md).toMatch(/\| {2}\| readiness-probe \| .* \(`rolling-restart`\) \| `redis-cluster\/statefulset\.yaml:24` \| `redis-cluster\/statefulset\.yaml:26` \|/);
    const html = gateHtml(gate(a));
    expect(html).toContain('<section id="advice">');
    expect(html).toMatch(/<tr class="advice-new" data-rule="liveness-probe">/);
    expect(JSON.parse(JSON.stringify(gate(a))).advice.rows).toHaveLength(5);
    // A gate result without advice renders as before.
    expect(gateMarkdown(gate(undefined))).not.toContain('Advice');
    expect(gateHtml(gate(undefined))).not.toContain('id="advice"');
  });
});
