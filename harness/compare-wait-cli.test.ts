import { execa } from 'execa';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = path.resolve(import.meta.dirname, 'compare-wait-cli.ts');
const run = (args: string[]) => execa(process.execPath, ['--import', 'tsx', cli, ...args], { reject: false, timeout: 30_000, env: { CI: '' }, extendEnv: true });

describe('npm run compare:wait, on bad input', () => {
  it('exits 2 with one line naming the flag, before running anything', async () => {
    for (const [args, message] of [
      [['--wait-replicas', '0'], 'redis-chaos compare:wait: --wait-replicas 0: expected an integer ≥ 1'],
      [['--node-timeout', 'soon'], 'redis-chaos compare:wait: --node-timeout soon: expected an integer ≥ 1'],
      [['--nope'], "redis-chaos compare:wait: Unknown option '--nope'; see npm run compare:wait -- --help"],
    ] as const) {
      const r = await run([...args]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim()).toBe(message);
      expect(r.stdout).toBe('');
    }
    const r = await run(['--scenario', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/^redis-chaos compare:wait: --scenario nope: unknown scenario; valid: .*kill-master/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a WAIT count the manifests cannot meet before the run without WAIT, and makes no report folder', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'compare-wait-'));
    try {
      const r = await run(['--wait-replicas', '2', '--report-dir', path.join(dir, 'out')]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim()).toBe("redis-chaos compare:wait: --wait-replicas 2: each master has 1 replica (the manifests' shape is 3 × 1, masters × replicas per master), so WAIT 2 could never be met and no write would count as acknowledged; at most 1");
      expect(r.stdout).toBe('');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
