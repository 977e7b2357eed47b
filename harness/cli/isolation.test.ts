// The fallback: a machine without namespaces mode's tools (here: a PATH without /usr/sbin, where
// tc and nft live) runs in process mode, saying in one line what that loses; asking for
// namespaces there, or for a network scenario, is exit 2 in one line.
import { execa } from 'execa';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenariosArgv } from './entry.ts';

const PATH = (process.env.PATH ?? '').split(':').filter((d) => !d.endsWith('/sbin')).join(':');

async function run(args: string[]) {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'isolation-report-'));
  const r = await execa(process.execPath, scenariosArgv(['--report-dir', reportDir, '--parallel', '1', '--node-timeout', '2000', '--redis-config', 'repl-diskless-sync-delay=0', ...args]), {
    reject: false, timeout: 120_000, env: { PATH, CI: '', HARNESS_SETTLE_MS: '1000' }, extendEnv: true,
  });
  return { ...r, reportDir };
}

describe('without the tools of namespaces mode', () => {
  it('falls back to process mode, says in one line what it does not reproduce, and records the mode', async () => {
    const r = await run(['--scenario', 'delete-pod-0']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const line = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.includes('isolation: processes'));
    expect(line).toHaveLength(1);
    expect(line[0]).toMatch(/^redis-chaos: isolation: processes \([a-z, ]*nft not on PATH .*\): pods share the host network .* no network fault can be injected$/);
    const summary = JSON.parse(await readFile(path.join(r.reportDir, 'latest', 'summary.json'), 'utf8')) as { isolation: string };
    expect(summary.isolation).toBe('processes');
  }, 130_000);

  it('refuses --isolation namespaces in one line, exit 2', async () => {
    const r = await run(['--scenario', 'delete-pod-0', '--isolation', 'namespaces']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/^redis-chaos: --isolation namespaces: not possible here: [a-z, ]*nft not on PATH/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a network scenario in one line, exit 2, saying why', async () => {
    const r = await run(['--scenario', 'partition-master']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/^redis-chaos: partition-master: needs --isolation namespaces, to cut or slow a pod's own network \([a-z, ]*nft not on PATH/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
