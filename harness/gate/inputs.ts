import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { HarnessError } from '../errors.ts';
import { loadManifests, resolveSystem, type ClusterShape, type NameChoices } from '../manifests/index.ts';

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
 * A folder is used as it is. Anything else must be a ref of the repository at `repo`: its
 * `manifests/` is copied out with `git archive` into the gate's run folder, never checked out over
 * the user's work tree. Either way the set must load and validate, or this is one line, exit 2.
 */
export async function resolveSide(label: ManifestSide['label'], spec: string, repo: string, into: string, choices: NameChoices = {}): Promise<ManifestSide> {
  const flag = `--${label} ${spec}`;
  let side: ManifestSide;
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    side = { label, spec, kind: 'dir', dir: path.resolve(spec), commit: null };
  } else {
    const rev = await execa('git', ['-C', repo, 'rev-parse', '--verify', '--quiet', `${spec}^{commit}`], { reject: false, timeout: 10_000 });
    if (rev.exitCode !== 0) throw new HarnessError(`${flag}: neither a folder nor a git ref of ${repo}`);
    const commit = rev.stdout.trim();
    const has = await execa('git', ['-C', repo, 'cat-file', '-e', `${commit}:manifests`], { reject: false, timeout: 10_000 });
    if (has.exitCode !== 0) throw new HarnessError(`${flag}: commit ${commit.slice(0, 12)} has no manifests/ folder`);
    const out = path.join(into, label);
    await mkdir(out, { recursive: true });
    const archive = await execa('sh', ['-c', 'git -C "$1" archive "$2" manifests | tar -x -C "$3"', 'sh', repo, commit, out], { reject: false, timeout: 60_000 });
    if (archive.exitCode !== 0) throw new HarnessError(`${flag}: git archive failed: ${archive.stderr.trim().split('\n')[0]}`);
    side = { label, spec, kind: 'ref', dir: path.join(out, 'manifests'), commit };
  }
  try {
    side.shape = resolveSystem(await loadManifests(side.dir), choices).shape;
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
