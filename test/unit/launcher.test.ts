// bin/redis-chaos.mjs from this clone, started in a folder that is no git repository: the
// commands, their usage as `redis-chaos <command>`, and bad input as one line, exit 2, leaving
// nothing behind. (test/unit/pack.test.ts runs it as an installed package.)
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCommand } from '../../harness/cli/args.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/redis-chaos.mjs');

describe('the redis-chaos command', () => {
  let cwd = '';
  beforeAll(async () => {
    cwd = await realpath(await mkdtemp(path.join(os.tmpdir(), 'launcher-')));
  });
  afterAll(() => (cwd ? rm(cwd, { recursive: true, force: true }) : undefined));
  // Nor TSX_DISABLE_CACHE: what the commands themselves set is what is tested.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HARNESS_') && k !== 'REDIS_CHAOS_COMMAND' && k !== 'TSX_DISABLE_CACHE'));
  const run = (...args: string[]) => execa(process.execPath, [BIN, ...args], { cwd, env, extendEnv: false, reject: false, timeout: 60_000 });

  it('--help, --version, and each command\'s usage under its own name', async () => {
    const help = await run('--help');
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^usage: redis-chaos <command> \[flags\]/m);
    const { version } = JSON.parse(await readFile(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect((await run('--version')).stdout).toBe(version);
    for (const c of ['scenarios', 'gate', 'advise', 'check', 'init']) {
      const r = await run(c, '--help');
      expect(r.exitCode, c).toBe(0);
      expect(r.stdout, c).toMatch(new RegExp(`^usage: redis-chaos ${c}\\b`));
      expect(r.stdout, c).not.toContain('npm run');
    }
  });

  it('bad input is one line, exit 2, and leaves the folder as it was', async () => {
    const cases: [string[], RegExp][] = [
      [['gate', '--baseline', 'origin/main', '--candidate', 'HEAD', '--manifests', 'k8s/redis'], new RegExp(`^redis-chaos gate: --baseline origin/main: not a folder, and ${cwd} is not in a git repository to read a ref from$`)],
      [['gate', '--frob'], /^redis-chaos gate: Unknown option '--frob'; see redis-chaos gate --help$/],
      [['advise', '--manifests', 'k8s/redis'], /^redis-chaos advise: /],
      [['check'], /^redis-chaos check: a run folder is required: redis-chaos check reports\/<runId>/],
      [['scenarios', '--scenario', 'no-such'], /^redis-chaos: --scenario no-such: unknown scenario; valid: /],
      [['nope'], /^redis-chaos: unknown command nope; valid: /],
    ];
    for (const [args, message] of cases) {
      const r = await run(...args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(await readdir(cwd)).toEqual([]);
  });

  it("writes nothing outside what it names: not tsx's transform cache under $TMPDIR", async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    // Each case shows that its TypeScript ran: advise's findings, report's own error for a folder with no run.
    for (const [what, file, args, ran] of [
      ['redis-chaos advise', process.execPath, [BIN, 'advise', '--manifests', path.join(root, 'manifests')], /\d+ risks?, \d+ notes? \(/],
      ['npm run advise', 'npm', ['run', '-s', 'advise', '--', '--manifests', 'manifests'], /\d+ risks?, \d+ notes? \(/],
      ['npm run report', 'npm', ['run', '-s', 'report', '--', cwd], /no Allure results/],
    ] as const) {
      const tmp = await mkdtemp(path.join(os.tmpdir(), 'launcher-tmp-'));
      try {
        const r = await execa(file, args, { cwd: what.startsWith('npm') ? root : cwd, env: { ...env, TMPDIR: tmp }, extendEnv: false, reject: false, timeout: 60_000 });
        expect(`${r.stdout}\n${r.stderr}`, what).toMatch(ran);
        expect(await readdir(tmp), what).toEqual([]);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
  });

  it('asCommand renames the npm scripts only under the command', () => {
    expect(asCommand('see npm run gate -- --help', {})).toBe('see npm run gate -- --help');
    expect(asCommand('see npm run gate -- --help; npm run report', { REDIS_CHAOS_COMMAND: 'redis-chaos' })).toBe('see redis-chaos gate --help; redis-chaos report');
  });
});
