import { execa } from 'execa';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleep } from './wait.ts';

const fixture = path.join(import.meta.dirname, 'fixtures', 'owned-signals.ts');

describe('signals owned by the CLI', () => {
  it('treat copies within a second as the same press, and a later press as the second: exit at once', async () => {
    const child = execa(process.execPath, ['--import', 'tsx', fixture], { reject: false, timeout: 30_000, buffer: true });
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    child.kill('SIGINT');
    await sleep(50);
    child.kill('SIGINT'); // what npm or tsx forwards
    await sleep(500);
    expect(child.exitCode).toBeNull(); // still stopping in order
    await sleep(700);
    child.kill('SIGINT'); // the user's second press
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stdout.match(/orderly stop started/g)).toHaveLength(1);
    expect(r.stderr).toContain('SIGINT again: exiting now');
  });

  const closedOutput = path.join(import.meta.dirname, 'fixtures', 'closed-output.ts');
  const startClosing = async () => {
    const child = execa(process.execPath, ['--import', 'tsx', closedOutput], { reject: false, timeout: 30_000, buffer: false });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    return { child, stderr: () => stderr };
  };

  it('take a closed output (| head) as SIGPIPE: the owner is told once, and nothing crashes on the writes that follow', async () => {
    const { child, stderr } = await startClosing();
    child.stdout!.destroy();
    await sleep(1500); // some thirty more writes to the closed pipe, past the second-press window
    expect(child.exitCode).toBeNull(); // still stopping in order, not crashed by EPIPE
    expect(stderr().match(/orderly stop started by \w+/g)).toEqual(['orderly stop started by SIGPIPE']);
    child.kill('SIGKILL');
    await child;
  });

  it('leave a stop already under way to finish when its output then closes (a closed terminal: SIGHUP, then failed writes)', async () => {
    const { child, stderr } = await startClosing();
    child.kill('SIGHUP');
    await sleep(1200); // past the window in which a signal counts as the same press
    child.stdout!.destroy();
    await sleep(500);
    expect(child.exitCode).toBeNull(); // not taken for a second press, which would exit before the teardown
    expect(stderr().match(/orderly stop started by \w+/g)).toEqual(['orderly stop started by SIGHUP']);
    expect(stderr()).not.toContain('exiting now');
    child.kill('SIGKILL');
    await child;
  });
});

describe('cleanups registered by a library user', () => {
  it('run newest first on a signal, each one\'s failure printed and the rest still run, then exit 128 + signal', async () => {
    const child = execa(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'library-cleanups.ts')], { reject: false, timeout: 30_000, buffer: true });
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(143);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('teardown error:'))).toEqual([
      'teardown error: pod network: already gone',
      'teardown error: volumes: umount failed',
    ]);
    expect(r.stdout).toContain('oldest cleanup done');
  });
});
