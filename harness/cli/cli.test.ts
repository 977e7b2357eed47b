import { execa } from 'execa';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRuns } from '../platform/local/run-dir.ts';
import { manifestsWith, runScenario } from '../testing/run-cli.ts';
import { scenariosArgv } from './entry.ts';

/** The repo's manifests with one Redis pod per node required (pod anti-affinity on the hostname). */
const onePodPerNode = () => manifestsWith({
  'redis-cluster/statefulset.yaml': (t) => t.replace('    spec:\n      containers:', [
    '    spec:', '      affinity:', '        podAntiAffinity:', '          requiredDuringSchedulingIgnoredDuringExecution:',
    '          - topologyKey: kubernetes.io/hostname', '            labelSelector:', '              matchLabels:', '                app: redis-cluster', '      containers:',
  ].join('\n')),
});
const run = (args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, scenariosArgv(args), { reject: false, timeout: 30_000, env: { ...env, CI: '' }, extendEnv: true });

describe('npm run scenarios, on bad input', () => {
  it('exits 2 with one line and no stack trace for an unknown flag', async () => {
    const r = await run(['--nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^redis-chaos: Unknown option '--nope'/);
  });

  // Node's recursive mkdir spins forever under /proc (util/make-dir.ts): this run hung, deaf to Ctrl-C.
  it('exits 2 with one line naming --report-dir for a folder that cannot be made, under /proc or through a symlink to nothing', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'rc-report-dir-'));
    try {
      await symlink(path.join(tmp, 'gone'), path.join(tmp, 'dangling'));
      for (const dir of ['/proc/redis-chaos-nothing', path.join(tmp, 'dangling', 'reports')]) {
        const r = await run(['--report-dir', dir]);
        expect(r.exitCode, r.stderr).toBe(2);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/^redis-chaos: --report-dir: cannot make \//);
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('exits 2 with the arithmetic when --replicas-per-master cannot split the StatefulSet', async () => {
    const r = await run(['--replicas-per-master', '2', '--scenario', 'kill-master']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/^redis-chaos: .*statefulset\.yaml \(document 0\): spec\.replicas is 6: 6 pods \/ shards of 1 master \+ 2 replicas \(--replicas-per-master 2\) = 2 masters; Redis Cluster needs at least 3 \(9 pods\)$/);
  });

  it('exits 2 with one line when a scenario named on the command line needs a second replica', async () => {
    const r = await run(['--scenario', 'kill-master-and-first-replica']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe("redis-chaos: --scenario kill-master-and-first-replica needs 2 replicas per master; the manifests' shape is 3 × 1 (masters × replicas per master): set redis-chaos/replicas-per-master on the StatefulSet, or --replicas-per-master, with replicas to match");
  });

  it('exits 2 with one line naming --wait-replicas for a bad count, or more than the shape has', async () => {
    const r = await run(['--wait-replicas', '0']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('redis-chaos: --wait-replicas 0: expected an integer ≥ 1');
    // More than each master has: WAIT could never be met, so no write would count.
    const more = await run(['--wait-replicas', '2', '--scenario', 'kill-master']);
    expect(more.exitCode).toBe(2);
    expect(more.stderr.trim()).toBe("redis-chaos: --wait-replicas 2: each master has 1 replica (the manifests' shape is 3 × 1, masters × replicas per master), so WAIT 2 could never be met and no write would count as acknowledged; at most 1");
  });

  it('exits 2 with one line naming --keys for a bad key count', async () => {
    for (const bad of ['0', '9999']) {
      const r = await run(['--keys', bad]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^redis-chaos: --keys ${bad}: expected a whole number of keys from 1 to 4096`));
    }
  });

  it('exits 2 naming the manifest file and document', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-manifests-'));
    await import('node:fs/promises').then((fs) => fs.writeFile(path.join(dir, 'broken.yaml'), 'kind: StatefulSet\nmetadata: {name: x\n'));
    const r = await run(['--manifests', dir]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/^redis-chaos: .*broken\.yaml \(document 0\): invalid YAML/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 with one line naming --statefulset when two StatefulSets run Redis Cluster, and for an unknown --statefulset', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-ambiguous-'));
    await cp(path.resolve(import.meta.dirname, '../../examples/renamed'), dir, { recursive: true });
    const cache = await readFile(path.join(dir, 'cache/cache.yaml'), 'utf8');
    await writeFile(path.join(dir, 'cache/sessions.yaml'), cache.replace(/name: cache$/m, 'name: sessions').replaceAll('cache-config', 'sessions-config'));
    try {
      const r = await run(['--manifests', dir, '--scenario', 'kill-master']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim()).toBe(`redis-chaos: ${dir}: 2 StatefulSets run redis-server with cluster-enabled yes (cache, sessions): choose one with --statefulset NAME`);
      const unknown = await run(['--manifests', dir, '--statefulset', 'redis-cluster', '--scenario', 'kill-master']);
      expect(unknown.exitCode).toBe(2);
      expect(unknown.stderr.trim()).toBe(`redis-chaos: ${dir}: --statefulset redis-cluster: no such StatefulSet; present: cache, sessions`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 naming --nodes when the manifests require more nodes than the local platform has, leaving nothing running', async () => {
    // One Redis pod per node, required: the fourth pod finds no node among the three asked for.
    const dir = await onePodPerNode();
    const reports = await mkdtemp(path.join(os.tmpdir(), 'cli-pending-'));
    try {
      const child = run(['--manifests', dir, '--scenario', 'kill-master', '--nodes', '3', '--report-dir', reports]);
      const pid = child.pid;
      const r = await child;
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toContain("verdict: error (exit 2) — redis-cluster-3 stays Pending: Unschedulable: 0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. (the local platform has 3 nodes; --nodes N sets how many)");
      expect((await listRuns()).filter((x) => x.record?.ownerPid === pid)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(reports, { recursive: true, force: true });
    }
  });

  it('without --nodes, gives those manifests a node per pod, as kind would, says why, and the scenario runs', async () => {
    const dir = await onePodPerNode();
    try {
      const { exitCode, output } = await runScenario(dir, 'kill-master');
      expect(output).toContain('local: 6 nodes (redis-cluster requires pod anti-affinity on kubernetes.io/hostname: one node per pod; --nodes N sets how many)');
      expect(exitCode, output).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('exits 2 in one line for --zones beyond the nodes the manifests get, before anything starts', async () => {
    const r = await run(['--scenario', 'kill-master', '--zones', '4']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('redis-chaos: --zones 4: at most one zone per node, and these manifests get 3 nodes (--nodes N sets how many)');
    expect(r.stdout).toBe('');
  });

  it('exits 2 naming the missing tool and how to install it, leaving nothing running', async () => {
    // A PATH with node and nothing else: no redis-server, no redis-cli.
    const bin = await mkdtemp(path.join(os.tmpdir(), 'cli-path-'));
    await symlink(process.execPath, path.join(bin, 'node'));
    const child = run([], { PATH: bin });
    const pid = child.pid;
    const r = await child;
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('redis-chaos: the local platform needs redis-server and redis-cli on PATH: install with apt-get install redis-server redis-tools (Debian/Ubuntu) or brew install redis (macOS)');
    // It stopped before starting anything: no run of its own exists (other tests' runs may).
    expect((await listRuns()).filter((x) => x.record?.ownerPid === pid)).toEqual([]);
  });
});
