import { execa } from 'execa';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.ts';
import { REPO_MANIFESTS } from '../testing/local-cluster.ts';
import { gitTopLevel, resolveSide } from './inputs.ts';

// The gate run from another repository: refs and relative paths are that repository's, and
// --manifests names the folder read at each ref.
describe('the gate\'s sides, from the repository it is started in', () => {
  let tmp = '';
  let repo = '';
  let cm = '';
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'gate-user-'));
    repo = path.join(tmp, 'user-repo');
    cm = path.join(repo, 'k8s', 'redis', 'redis-cluster', 'configmap.yaml');
  });
  afterAll(() => (tmp ? rm(tmp, { recursive: true, force: true }) : undefined));
  const git = (...a: string[]) => execa('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...a]);

  it('reads --manifests k8s/redis at each ref of the user\'s repository, relative to its working directory', async () => {
    await mkdir(repo, { recursive: true });
    await git('init', '-q');
    await cp(REPO_MANIFESTS, path.join(repo, 'k8s', 'redis'), { recursive: true });
    await git('add', '.');
    await git('commit', '-qm', 'v1');
    await writeFile(cm, (await readFile(cm, 'utf8')).replace('cluster-node-timeout 15000', 'cluster-node-timeout 25000'));
    await git('commit', '-qam', 'v2');
    const top = await gitTopLevel(repo);
    expect(top).not.toBeNull();
    expect(await gitTopLevel(path.join(repo, 'k8s'))).toBe(top);

    const into = path.join(tmp, 'gate');
    const refs = { repo: top, manifests: 'k8s/redis', cwd: repo };
    const baseline = await resolveSide('baseline', 'HEAD~1', refs, into);
    const candidate = await resolveSide('candidate', 'HEAD', refs, into);
    expect(baseline).toMatchObject({ kind: 'ref', dir: path.join(into, 'baseline', 'k8s', 'redis') });
    expect(candidate).toMatchObject({ kind: 'ref', dir: path.join(into, 'candidate', 'k8s', 'redis') });
    expect(baseline.commit).toBe((await git('rev-parse', 'HEAD~1')).stdout.trim());
    expect(await readFile(path.join(baseline.dir, 'redis-cluster', 'configmap.yaml'), 'utf8')).toContain('cluster-node-timeout 15000');
    expect(await readFile(path.join(candidate.dir, 'redis-cluster', 'configmap.yaml'), 'utf8')).toContain('cluster-node-timeout 25000');
    expect((await git('status', '--porcelain')).stdout).toBe(''); // the work tree is untouched

    // From a subfolder, the same folder is ../redis; a relative folder side is the user's, too.
    const sub = await resolveSide('baseline', 'HEAD~1', { repo: top, manifests: 'redis', cwd: path.join(repo, 'k8s') }, path.join(tmp, 'gate-sub'));
    expect(sub.dir).toBe(path.join(tmp, 'gate-sub', 'baseline', 'k8s', 'redis'));
    const dir = await resolveSide('candidate', 'k8s/redis', refs, into);
    expect(dir).toMatchObject({ kind: 'dir', dir: path.join(repo, 'k8s', 'redis'), commit: null });
  });

  it('says in one line what is wrong: a folder no ref holds, a folder outside the repository, a ref outside any repository', async () => {
    const into = path.join(tmp, 'gate-bad');
    const top = (await gitTopLevel(repo))!;
    const fail = (p: Promise<unknown>) => p.then(() => new Error('resolved'), (e: unknown) => e as Error);
    const missing = await fail(resolveSide('baseline', 'HEAD', { repo: top, manifests: 'manifests', cwd: repo }, into));
    expect(missing).toBeInstanceOf(HarnessError);
    expect(missing.message).toMatch(/^--baseline HEAD: commit [0-9a-f]{12} has no manifests\/ folder$/);
    const outside = await fail(resolveSide('baseline', 'HEAD', { repo: top, manifests: '../elsewhere', cwd: repo }, into));
    expect(outside.message).toMatch(/^--manifests \.\.\/elsewhere: not inside the repository /);
    const plain = path.join(tmp, 'not-a-repo');
    await mkdir(plain);
    expect(await gitTopLevel(plain)).toBeNull();
    const noRepo = await fail(resolveSide('candidate', 'origin/main', { repo: null, manifests: 'k8s/redis', cwd: plain }, into));
    expect(noRepo).toBeInstanceOf(HarnessError);
    expect(noRepo.message).toBe(`--candidate origin/main: not a folder, and ${plain} is not in a git repository to read a ref from`);
  });
});
