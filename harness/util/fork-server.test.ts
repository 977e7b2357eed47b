import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { forkServerReady, runCommand, type CommandResult } from './fork-server.ts';
import { sleep } from './wait.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'fork-server-user.ts');
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
const childrenOf = (pid: number) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
async function gone(pid: number, withinMs = 5000): Promise<boolean> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; await sleep(20)) if (!alive(pid)) return true;
  return !alive(pid);
}

/** The same command through the helper and forked directly (HARNESS_FORK_SERVER=0): the results must agree. */
async function both(run: () => Promise<CommandResult>): Promise<[CommandResult, CommandResult]> {
  expect(await forkServerReady()).toBe(true);
  const viaServer = await run();
  process.env.HARNESS_FORK_SERVER = '0';
  try {
    return [viaServer, await run()];
  } finally {
    delete process.env.HARNESS_FORK_SERVER;
  }
}

describe('runCommand: short commands through the fork server, as execa would run them', () => {
  afterEach(() => void delete process.env.HARNESS_FORK_SERVER);

  it('gives the exit code, stdout and stderr without their final newline, and feeds stdin', async () => {
    for (const r of await both(() => runCommand('sh', ['-c', 'cat; echo err >&2; exit 3'], { input: 'in\n' }))) {
      expect(r).toMatchObject({ exitCode: 3, stdout: 'in', stderr: 'err', timedOut: false, isCanceled: false, error: undefined });
    }
  });

  it('runs with the environment and folder asked for: added to this process\'s, or instead of it', async () => {
    process.env.FORK_SERVER_TEST_VAR = 'inherited';
    try {
      for (const r of await both(() => runCommand('sh', ['-c', 'echo "$FORK_SERVER_TEST_VAR/$ADDED/$(pwd)"'], { env: { ADDED: 'added' }, cwd: os.tmpdir() }))) {
        expect(r.stdout).toBe(`inherited/added/${os.tmpdir()}`);
      }
      for (const r of await both(() => runCommand('/bin/sh', ['-c', 'echo "[$FORK_SERVER_TEST_VAR][$ONLY]"'], { env: { ONLY: 'only' }, extendEnv: false }))) {
        expect(r.stdout).toBe('[][only]');
      }
    } finally {
      delete process.env.FORK_SERVER_TEST_VAR;
    }
  });

  it('ends a command at its timeout, and one whose signal aborts, and says which', async () => {
    for (const r of await both(() => runCommand('sleep', ['10'], { timeout: 200 }))) {
      expect(r).toMatchObject({ timedOut: true, isCanceled: false, exitCode: undefined, signal: 'SIGTERM' });
    }
    for (const r of await both(() => runCommand('sleep', ['10'], { cancelSignal: AbortSignal.timeout(200) }))) {
      expect(r).toMatchObject({ timedOut: false, isCanceled: true, exitCode: undefined });
    }
  });

  it('says why a command could not start, without throwing', async () => {
    for (const r of await both(() => runCommand('/nonexistent/redis-chaos-tool', ['x']))) {
      expect(r.exitCode).toBeUndefined();
      expect(r.error).toMatch(/ENOENT/);
    }
  });

  it('outlives a Ctrl-C, so the teardown after it still runs commands, and goes with the process that started it', async () => {
    const user = execa(process.execPath, ['--import', 'tsx', FIXTURE], { reject: false, timeout: 60_000, buffer: false, stdin: 'pipe' });
    const lines: string[] = [];
    const next = (pattern: RegExp) => new Promise<string>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no line matching ${pattern}; got ${lines.join(' | ')}`)), 20_000);
      const check = () => {
        const found = lines.find((l) => pattern.test(l));
        if (found) {
          clearTimeout(deadline);
          resolve(found);
        } else setTimeout(check, 20);
      };
      check();
    });
    user.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    try {
      const server = Number(/server (\d+) ready true/.exec(await next(/^server /))?.[1]);
      expect(server).toBeGreaterThan(0);
      user.stdin!.write('sigint\n');
      expect(await next(/^ran: /)).toBe(`ran: after SIGINT (server ${server})`);
      user.stdin!.write('sleep\n');
      await next(/^sleeping/);
      const [command] = childrenOf(server);
      expect(command).toBeGreaterThan(0);
      // The harness killed outright: its helper and what the helper ran go too.
      user.kill('SIGKILL');
      expect(await gone(server)).toBe(true);
      expect(await gone(command!)).toBe(true);
    } finally {
      user.kill('SIGKILL');
      await user;
    }
  });
});
