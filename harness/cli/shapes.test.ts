// Shapes other than the walkthrough's 3 × 1, on real redis-server processes: the cluster forms as
// the manifests say, and the scenario that needs a second replica passes on 3 × 2 (the remaining
// replica promoted, the killed master and replica re-attached to it).
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../report/summary.ts';
import { scenariosArgv } from './entry.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function run(example: string, scenario: string) {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'shapes-report-'));
  dirs.push(reportDir);
  const r = await execa(process.execPath, scenariosArgv(['--manifests', path.join(repo, 'examples', example), '--scenario', scenario,
    '--report-dir', reportDir, '--node-timeout', '2000', '--redis-config', 'repl-diskless-sync-delay=0', '--seed', '3']), {
    reject: false, timeout: 240_000, env: { CI: '', HARNESS_SETTLE_MS: '1000' }, extendEnv: true,
  });
  const summary = JSON.parse(await readFile(path.join(reportDir, 'latest', 'summary.json'), 'utf8')) as RunSummary;
  const check = (name: string) => summary.scenarios[0]!.checks.find((c) => c.name === name)!;
  return { ...r, summary, check };
}

describe('any shape, on real processes', () => {
  it('3 × 2 from the annotation: kill-master-and-first-replica promotes the remaining replica', async () => {
    const r = await run('shape-3x2', 'kill-master-and-first-replica');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('redis-chaos: cluster shape 3 × 2: 3 masters with 2 replicas each, 9 pods');
    expect(r.summary.shape).toEqual({ masters: 3, replicasPerMaster: 2 });
    expect(r.check('topology-restored').message).toBe('3 masters, each with 2 linked replicas; 9 known nodes; no node flagged');
    // The killed replica cannot have won: the one left did, and the killed one follows it.
    expect(r.check('replica-promotion').message).toMatch(/^redis-cluster-\d promoted in \d+ ms \(deadline 9000\); redis-cluster-\d rejoined as its replica; redis-cluster-\d \(the other candidate\) re-attached to it$/);
  }, 250_000);

  it('6 × 1 from the replica count alone: kill-master passes with 6 shards under load', async () => {
    const r = await run('shape-6x1', 'kill-master');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.summary.shape).toEqual({ masters: 6, replicasPerMaster: 1 });
    expect(r.check('topology-restored').message).toBe('6 masters, each with 1 linked replica; 12 known nodes; no node flagged');
    expect(r.check('counter').message).toMatch(/over 6 shards/);
  }, 250_000);
});
