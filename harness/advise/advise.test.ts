import { execa } from 'execa';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { advise, type Finding } from './index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const cli = path.join(ROOT, 'harness/advise-cli.ts');
const run = (args: string[]) => execa(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: ROOT, reject: false, timeout: 30_000 });
const brief = (f: Finding) => `${path.relative(ROOT, path.resolve(f.file))}:${f.line} ${f.rule} ${f.severity} ${f.scenario}`;

describe('advice on the repository\'s manifest sets', () => {
  it('no rule fires on examples/hardened', async () => {
    expect(await advise(path.join(ROOT, 'examples/hardened'))).toEqual([]);
  });

  it("the seed's manifests: the myself-only rewrite, no PodDisruptionBudget, no anti-affinity, no readiness probe", async () => {
    expect((await advise(path.join(ROOT, 'manifests'))).map(brief)).toEqual([
      'manifests/redis-cluster/configmap.yaml:16 myself-only-rewrite risk full-restart',
      'manifests/redis-cluster/statefulset.yaml:9 pod-disruption-budget risk node-drain',
      'manifests/redis-cluster/statefulset.yaml:22 anti-affinity risk node-crash',
      'manifests/redis-cluster/statefulset.yaml:24 readiness-probe risk rolling-restart',
    ]);
  });

  it('examples/memory-limit: the seed\'s four, and a limit with no room for a fork', async () => {
    expect((await advise(path.join(ROOT, 'examples/memory-limit'))).map((f) => f.rule)).toEqual(['myself-only-rewrite', 'pod-disruption-budget', 'anti-affinity', 'readiness-probe', 'fork-memory']);
  });
});

describe('npm run advise', () => {
  it('prints one line per finding and a count, exit 1 on a risk, in about a second', async () => {
    const started = Date.now();
    const r = await run([]);
    const took = Date.now() - started;
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('manifests/redis-cluster/configmap.yaml:16  myself-only-rewrite  update-node.sh rewrites only the myself line of /data/nodes.conf and never looks up where the peers are now: when every pod comes back on a new IP, each node knows its peers only at their old IPs and the cluster stays in cluster_state:fail for good  (shown by: full-restart)');
    expect(lines.filter((l) => /\(shown by: [a-z0-9-]+\)$/.test(l))).toHaveLength(4);
    expect(lines.at(-1)).toBe('4 risks, 0 notes (manifests)');
    expect(r.stderr).toBe('');
    // docs/advise.md shows this very output.
    const page = await readFile(path.join(ROOT, 'docs/advise.md'), 'utf8');
    expect(/\$ npm run advise\n([\s\S]*?)\n```/.exec(page)?.[1]).toBe(r.stdout.trimEnd());
    // A shared 2-core machine: generous, but a run that talked to a cluster or the network would not fit.
    expect(took).toBeLessThan(10_000);
  });

  it('exit 0 with no risk; --json gives the findings as data', async () => {
    const clean = await run(['--manifests', 'examples/hardened']);
    expect([clean.exitCode, clean.stdout.trim()]).toEqual([0, '0 risks, 0 notes (examples/hardened)']);
    const json = await run(['--manifests', 'manifests', '--json']);
    expect(json.exitCode).toBe(1);
    const out = JSON.parse(json.stdout) as { risks: number; notes: number; findings: Finding[] };
    expect([out.risks, out.notes]).toEqual([4, 0]);
    expect(out.findings[0]).toEqual(expect.objectContaining({ rule: 'myself-only-rewrite', severity: 'risk', scenario: 'full-restart', file: 'manifests/redis-cluster/configmap.yaml', line: 16 }));
  });

  it('exit 2 with one line and no stack trace on bad input', async () => {
    const missing = await run(['--manifests', '/nonexistent/manifests']);
    expect([missing.exitCode, missing.stdout, missing.stderr.trim()]).toEqual([2, '', 'redis-chaos advise: /nonexistent/manifests: not a directory (expected a folder of Kubernetes YAML files)']);
    const flag = await run(['--nope']);
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr.trim()).toBe("redis-chaos advise: Unknown option '--nope'; valid flags: --manifests --statefulset --json --help");
    const dir = await mkdtemp(path.join(os.tmpdir(), 'advise-cli-'));
    await writeFile(path.join(dir, 'broken.yaml'), 'kind: StatefulSet\nmetadata: {name: x\n');
    const broken = await run(['--manifests', dir]);
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^redis-chaos advise: .*broken\.yaml \(document 0\): invalid YAML/)]);
  });

  // `npm run advise | head`: the reader goes before the lines do. Node then fails the write with
  // EPIPE, which crashed the command with a stack trace; the rest of its output is now dropped.
  it('a closed output: the lines are dropped, its exit code stays (1, the seed has risks), no stack trace', async () => {
    const r = await execa('bash', ['-o', 'pipefail', '-c', `"$0" --import tsx "$1" | true`, process.execPath, cli], { cwd: ROOT, reject: false, timeout: 30_000 });
    expect([r.exitCode, r.stderr]).toEqual([1, '']);
  });
});

