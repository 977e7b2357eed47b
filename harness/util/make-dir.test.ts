import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.ts';
import { makeDirSync, makeFlagDir } from './make-dir.ts';

describe('makeDirSync: mkdir -p that ends', () => {
  let tmp = '';
  beforeEach(async () => void (tmp = await mkdtemp(path.join(os.tmpdir(), 'rc-make-dir-'))));
  afterEach(async () => rm(tmp, { recursive: true, force: true }));

  it('makes every missing level and returns the first it made; none made, undefined', async () => {
    expect(makeDirSync(path.join(tmp, 'a', 'b', 'c'))).toBe(path.join(tmp, 'a'));
    expect((await stat(path.join(tmp, 'a', 'b', 'c'))).isDirectory()).toBe(true);
    expect(makeDirSync(path.join(tmp, 'a', 'b'))).toBeUndefined();
    expect(makeDirSync(path.join(tmp, 'a', 'b', 'd'))).toBe(path.join(tmp, 'a', 'b', 'd'));
  });

  // Each of these spins forever in fs.mkdirSync(dir, { recursive: true }) on Node 20.
  it('fails at once where a parent exists but cannot hold the child: procfs, a symlink to nothing', async () => {
    expect(() => makeDirSync('/proc/redis-chaos-nothing/reports')).toThrow(/ENOENT/);
    await symlink(path.join(tmp, 'gone'), path.join(tmp, 'dangling'));
    expect(() => makeDirSync(path.join(tmp, 'dangling', 'reports'))).toThrow(/EEXIST/);
  });

  it('fails on a file in the way', async () => {
    await writeFile(path.join(tmp, 'file'), '');
    expect(() => makeDirSync(path.join(tmp, 'file', 'reports'))).toThrow(/ENOTDIR/);
    expect(() => makeDirSync(path.join(tmp, 'file'))).toThrow(/ENOTDIR/);
  });

  it('for a flag, one HarnessError naming it and the folder', () => {
    const error = (() => { try { makeFlagDir('/proc/redis-chaos-nothing', '--report-dir'); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as Error).message).toBe("--report-dir: cannot make /proc/redis-chaos-nothing (ENOENT: no such file or directory, mkdir '/proc/redis-chaos-nothing')");
  });
});
