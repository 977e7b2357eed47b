import { existsSync, realpathSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { HarnessError } from '../errors.ts';
import { loadSystem, type ClusterShape, type NameChoices } from '../manifests/index.ts';

export interface ManifestSide {
  label: 'baseline' | 'candidate';
  /** What the user gave: a folder or a git ref. */
  spec: string;
  kind: 'dir' | 'ref';
  /** The manifest folder the runs use. */
  dir: string;
  /** For a ref: the commit it named. */
  commit: string | null;
  /** The cluster's shape on this side, once its manifests validated; a change may scale the cluster. */
  shape?: ClusterShape;
}

/**
 * Where refs are read: the git repository the command was started in (the user's, not the
 * harness's own), or null when `cwd` is in none.
 */
export async function gitTopLevel(cwd: string): Promise<string | null> {
  const r = await execa('git', ['rev-parse', '--show-toplevel'], { cwd, reject: false, timeout: 10_000 });
  return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/**
 * `--manifests DIR` as a path inside `repo`: DIR is relative to `cwd` (as every path on the
 * command line), and must lie inside the repository, as a ref holds nothing else.
 */
export function manifestsPathIn(repo: string, manifests: string, cwd: string): string {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const rel = path.relative(real(repo), path.resolve(real(cwd), manifests)).split(path.sep).join('/');
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new HarnessError(`--manifests ${manifests}: not inside the repository ${repo}, where the refs are read`);
  return rel || '.';
}

export interface RepoRefs {
  /** The repository refs are read in; null when the command was started outside any. */
  repo: string | null;
  /** `--manifests`: the folder, relative to `cwd`, read at each ref (default `manifests`). */
  manifests: string;
  /** Where the command was started: relative paths are relative to it. */
  cwd: string;
}

/**
 * A folder is used as it is (relative to `refs.cwd`). Anything else must be a ref of
 * `refs.repo`, the repository the gate was started in: its `refs.manifests` folder is copied out
 * with `git archive` into the gate's run folder, never checked out over the user's work tree.
 * Either way the set must load and validate, or this is one line, exit 2.
 */
export async function resolveSide(label: ManifestSide['label'], spec: string, refs: RepoRefs, into: string, choices: NameChoices = {}): Promise<ManifestSide> {
  const flag = `--${label} ${spec}`;
  let side: ManifestSide;
  const asDir = path.resolve(refs.cwd, spec);
  if (existsSync(asDir) && statSync(asDir).isDirectory()) {
    side = { label, spec, kind: 'dir', dir: asDir, commit: null };
  } else {
    const { repo } = refs;
    if (!repo) throw new HarnessError(`${flag}: not a folder, and ${refs.cwd} is not in a git repository to read a ref from`);
    const manifests = manifestsPathIn(repo, refs.manifests, refs.cwd);
    const rev = await execa('git', ['-C', repo, 'rev-parse', '--verify', '--quiet', `${spec}^{commit}`], { reject: false, timeout: 10_000 });
    if (rev.exitCode !== 0) throw new HarnessError(`${flag}: neither a folder nor a git ref of ${repo}`);
    const commit = rev.stdout.trim();
    const has = await execa('git', ['-C', repo, 'cat-file', '-e', `${commit}:${manifests === '.' ? '' : manifests}`], { reject: false, timeout: 10_000 });
    if (has.exitCode !== 0) throw new HarnessError(`${flag}: commit ${commit.slice(0, 12)} has no ${manifests}/ folder`);
    const out = path.join(into, label);
    await mkdir(out, { recursive: true });
    const archive = await execa('sh', ['-c', 'git -C "$1" archive "$2" -- "$3" | tar -x -C "$4"', 'sh', repo, commit, manifests, out], { reject: false, timeout: 60_000 });
    if (archive.exitCode !== 0) throw new HarnessError(`${flag}: git archive failed: ${archive.stderr.trim().split('\n')[0]}`);
    side = { label, spec, kind: 'ref', dir: path.join(out, manifests), commit };
  }
  try {
    side.shape = (await loadSystem(side.dir, choices)).shape;
  } catch (error) {
    throw new HarnessError(`${flag}: not a valid manifest set: ${error instanceof Error ? error.message : String(error)}`);
  }
  return side;
}

/** Two folders given for both sides would compare a set with itself by mistake. */
export function assertDistinct(baseline: ManifestSide, candidate: ManifestSide): void {
  if (baseline.kind === 'dir' && candidate.kind === 'dir' && baseline.dir === candidate.dir) {
    throw new HarnessError(`--baseline and --candidate are the same folder (${baseline.dir}): copy it to compare a set with itself`);
  }
}
