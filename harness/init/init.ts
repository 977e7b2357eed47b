// `redis-chaos init`: a repository that has no Redis Cluster manifests gets the seed's (this
// package's manifests/) and a starting GitHub workflow that runs the scenarios, and the gate
// against the base branch, on pull requests. Nothing is ever overwritten.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../errors.ts';

/** The package's own root: its manifests/ and package.json. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_INIT_MANIFESTS = 'k8s/redis-cluster';
export const WORKFLOW_PATH = '.github/workflows/redis-chaos.yml';

export interface PlannedFile {
  /** Relative to the folder init runs in, with forward slashes. */
  path: string;
  content: string;
}

async function filesUnder(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, child)));
    else if (e.isFile()) out.push(child);
  }
  return out;
}

/**
 * The workflow a consuming repository starts from; `spec` is what npm installs, or '' when init
 * cannot tell (the workflow then stops at once, saying what to set).
 */
export function workflow(manifests: string, spec: string): string {
  return `# Written by redis-chaos init: the chaos scenarios on every pull request that touches the Redis
# Cluster manifests, and the gate (the same scenarios on the base branch's manifests, compared).
name: redis-chaos
on:
  pull_request:
    paths:
      - '${manifests}/**'
      - '${WORKFLOW_PATH}'
env:
  # What npm installs: a tarball URL or path, github:<owner>/redis-chaos#<ref>, or a registry version.
  REDIS_CHAOS: '${spec.replace(/'/g, "''")}'
  MANIFESTS: ${manifests}
jobs:
  redis-chaos:
    runs-on: ubuntu-latest
    timeout-minutes: 45
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # the gate reads the base branch's manifests with git archive
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: Install redis-server and redis-chaos
        run: |
          if [ -z "$REDIS_CHAOS" ]; then
            echo "::error::set REDIS_CHAOS in ${WORKFLOW_PATH} to what npm installs as redis-chaos (a tarball URL, github:<owner>/redis-chaos#<ref>, …)"
            exit 1
          fi
          sudo apt-get update -q
          sudo apt-get install -yq --no-install-recommends redis-server redis-tools
          npm install --prefix "$RUNNER_TEMP/redis-chaos" --no-audit --no-fund "$REDIS_CHAOS"
          echo "$RUNNER_TEMP/redis-chaos/node_modules/.bin" >> "$GITHUB_PATH"
      - name: Advice (no cluster, a second)
        run: redis-chaos advise --manifests "$MANIFESTS" || true
      - name: Scenarios
        run: redis-chaos scenarios --manifests "$MANIFESTS"
      - name: Gate against the base branch
        if: \${{ !cancelled() }}
        run: |
          if git cat-file -e "origin/$BASE_REF:$MANIFESTS" 2>/dev/null; then
            redis-chaos gate --baseline "origin/$BASE_REF" --candidate HEAD --manifests "$MANIFESTS"
          else
            echo "the base branch has no $MANIFESTS: nothing to gate against"
          fi
        env:
          BASE_REF: \${{ github.base_ref }}
      - name: Verdicts in the job summary
        if: \${{ always() }}
        run: |
          redis-chaos summary >> "$GITHUB_STEP_SUMMARY" || true
          cat reports/gate-*/gate.md >> "$GITHUB_STEP_SUMMARY" 2>/dev/null || true
      - uses: actions/upload-artifact@v4
        if: \${{ always() }}
        with:
          name: redis-chaos-reports
          path: reports/
          if-no-files-found: ignore
`;
}

/** Everything init would write, relative to the folder it runs in. */
export async function planInit(manifests: string, spec: string): Promise<PlannedFile[]> {
  const norm = manifests.split(path.sep).join('/').replace(/\/+$/, '');
  if (!norm || path.isAbsolute(norm) || norm.split('/').includes('..')) throw new HarnessError(`--manifests ${manifests}: expected a folder inside this repository (relative, no ..)`);
  const seed = path.join(PACKAGE_ROOT, 'manifests');
  const files: PlannedFile[] = [];
  for (const rel of await filesUnder(seed)) files.push({ path: `${norm}/${rel}`, content: await readFile(path.join(seed, rel), 'utf8') });
  files.push({ path: WORKFLOW_PATH, content: workflow(norm, spec) });
  return files;
}

/** Writes the plan into `cwd`, refusing before it writes anything if any file is already there. */
export async function writeInit(cwd: string, files: PlannedFile[]): Promise<string[]> {
  const existing = files.filter((f) => existsSync(path.join(cwd, f.path)));
  if (existing.length) {
    throw new HarnessError(`${existing[0]!.path} already exists${existing.length > 1 ? ` (and ${existing.length - 1} more of the ${files.length} files init writes)` : ''}: init writes into a repository that has none of them, and overwrites nothing`);
  }
  for (const f of files) {
    await mkdir(path.dirname(path.join(cwd, f.path)), { recursive: true });
    await writeFile(path.join(cwd, f.path), f.content, { flag: 'wx' });
  }
  return files.map((f) => f.path);
}

/**
 * What the workflow installs: `--package SPEC` if given, else what the project's own package.json
 * says it installed redis-chaos from (a `file:` tarball, a git URL, a version range), else ''. The
 * package is not on the npm registry, so its name and version alone would install nothing (or, one
 * day, someone else's package of that name).
 */
export async function packageSpec(cwd: string, given: string | undefined): Promise<{ spec: string; from: string }> {
  if (given !== undefined) {
    if (!given.trim()) throw new HarnessError('--package: expected what npm installs as redis-chaos (a tarball URL or path, github:<owner>/redis-chaos#<ref>, …)');
    return { spec: given, from: '--package' };
  }
  const own = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string };
  const project = await readFile(path.join(cwd, 'package.json'), 'utf8').then((t) => JSON.parse(t) as Record<string, Record<string, string> | undefined>, () => null);
  const declared = project?.dependencies?.[own.name] ?? project?.devDependencies?.[own.name];
  if (!declared) return { spec: '', from: 'none' };
  // A range names a registry version; anything else (file:, git, github:, a URL, a path) is a spec as it is.
  const spec = /^[\^~<>=\d*x|\s.-]+$/i.test(declared) || declared === 'latest' ? `${own.name}@${declared}` : declared;
  return { spec, from: 'package.json' };
}
