import { execa } from 'execa';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_MANIFESTS } from '../testing/local-cluster.ts';

const cli = path.resolve(import.meta.dirname, '../cli.ts');

interface Summary { exitCode: number; scenarios: { name: string; status: string; checks: { name: string; valid: unknown; message: string }[]; metrics: { lostAcknowledged: number | null } }[] }

/** The repo's manifests with one plausible edit to redis-cluster/configmap.yaml. */
async function manifestsWith(edit: (configmap: string) => string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'defect-manifests-'));
  await cp(REPO_MANIFESTS, dir, { recursive: true });
  const cm = path.join(dir, 'redis-cluster', 'configmap.yaml');
  const before = await readFile(cm, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  await writeFile(cm, after);
  return dir;
}

/** `npm run scenarios` on those manifests, fast settings, real processes. */
async function scenario(manifests: string, name: string): Promise<{ exitCode: number | undefined; summary: Summary; output: string }> {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'defect-report-'));
  const r = await execa(process.execPath, ['--import', 'tsx', cli, '--manifests', manifests, '--scenario', name, '--parallel', '1', '--node-timeout', '2000',
    '--redis-config', 'repl-diskless-sync-delay=0', '--report-dir', reportDir, '--seed', '3'], { reject: false, timeout: 170_000, env: { CI: '', HARNESS_SETTLE_MS: '1000' } });
  const summary = JSON.parse(await readFile(path.join(reportDir, 'latest', 'summary.json'), 'utf8')) as Summary;
  return { exitCode: r.exitCode, summary, output: r.stdout };
}

describe('the scenarios catch the manifest defects they claim to, on real processes', () => {
  it('master-and-replica fails manifests without persistence: the shard comes back empty and its counter is lost', async () => {
    const manifests = await manifestsWith((t) => t.replace('    appendonly yes\n', '    appendonly no\n    save ""\n'));
    const { exitCode, summary, output } = await scenario(manifests, 'master-and-replica');
    expect(exitCode, output).toBe(1);
    const s = summary.scenarios[0]!;
    expect(s.status).toBe('failed');
    expect(s.checks.find((c) => c.name === 'counter')).toMatchObject({ valid: false });
    expect(s.metrics.lostAcknowledged).toBeGreaterThan(0);
  }, 180_000);

  it("rolling-restart fails manifests whose update-node.sh is gone: re-created nodes announce their old IPs", async () => {
    // The container runs redis-server directly; nothing rewrites the myself line of nodes.conf.
    const manifests = await manifestsWith((t) => t.replace(/^ {4}sed -i -e .*$/m, '    true'));
    const { exitCode, summary, output } = await scenario(manifests, 'rolling-restart');
    expect(exitCode, output).toBe(1);
    const s = summary.scenarios[0]!;
    expect(s.status).toBe('failed');
    expect(s.checks.find((c) => c.name === 'config-consistent')).toMatchObject({ valid: false, message: expect.stringMatching(/believes its own address is/) });
  }, 180_000);
});
