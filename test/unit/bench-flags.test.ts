import { execa } from 'execa';
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const bench = (name: string, args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, ['--import', 'tsx', path.join(root, 'bench', `${name}.ts`), ...args], { cwd: root, reject: false, timeout: 60_000, env });
const benchDirs = async () => (await readdir(os.tmpdir())).filter((n) => n.startsWith('bench-'));

// Each benchmark checks its arguments before it starts anything: before, a bad flag failed each of
// bench:flakes' 20 runs in turn, bench:gate ignored its arguments and started minutes of runs, and
// a bad --redis-config was a stack trace after the by-hand baseline had run.
describe('a benchmark given bad arguments', () => {
  const cases: [string, string[], string][] = [
    ['scenarios', ['--redis-config', 'nope'], 'redis-chaos bench:scenarios: --redis-config nope: expected KEY=VALUE, e.g. repl-diskless-sync-delay=0'],
    ['scenarios', ['--redis-config', 'port=1'], 'redis-chaos bench:scenarios: --redis-config port=1: port is set by the harness and cannot be overridden'],
    ['flakes', ['--scenario', 'nope'], 'redis-chaos bench:flakes: --scenario nope: unknown scenario; valid: '],
    ['suite', ['--seed', 'x'], 'redis-chaos bench:suite: --seed x: expected an integer ≥ 0'],
    ['gate', ['--nope'], 'redis-chaos bench:gate: takes no arguments, given --nope'],
    ['pod-replacement', ['--rounds', '0'], 'redis-chaos bench:pod-replacement: --rounds 0: expected an integer ≥ 1'],
  ];
  it('says so in one line naming it and the flag, exits 2, and starts nothing', async () => {
    const before = await benchDirs();
    const results = await Promise.all(cases.map(([name, args]) => bench(name, args)));
    results.forEach((r, i) => {
      const [name, args, line] = cases[i]!;
      expect(r.exitCode, `bench:${name} ${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n'), `bench:${name} ${args.join(' ')}`).toHaveLength(1);
      expect(r.stderr.trim().startsWith(line), `bench:${name}: ${r.stderr}`).toBe(true);
      expect(r.stdout).toBe('');
    });
    expect((await benchDirs()).filter((n) => !before.includes(n))).toEqual([]);
  });
});

// A run the harness could not start (kind needs Docker, which this machine has not) leaves no
// summary: the measurement is short, and bench:flakes says so in its exit code, as the CLI would.
describe('bench:flakes', () => {
  it('exits 2 when a run never got as far as a summary, and keeps its folder for a look', async () => {
    const r = await bench('flakes', ['--platform', 'kind'], { BENCH_FLAKES_RUNS: '1' });
    const kept = /kept (\S+)/.exec(r.stdout)?.[1];
    if (kept) await rm(kept, { recursive: true, force: true });
    expect(r.exitCode, r.stdout).toBe(2);
    expect(kept).toBeDefined();
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ runs: 1, falseAlarms: 1, harnessErrors: [expect.stringContaining('seed 1: exit 2')] });
  });
});
