// examples/hardened's start.sh, run as the container runs it, on an image without getent: it must
// fail at once, in one line, instead of taking every peer for unresolvable and waiting 60 s.
import { execa } from 'execa';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from './index.ts';

const HARDENED = path.resolve(import.meta.dirname, '../../examples/hardened');

describe("the hardened example's start.sh", () => {
  it('fails at once, in one line, when the image has no getent', async () => {
    const set = await loadManifests(HARDENED);
    const cm = set.documents.find((d) => d.object.kind === 'ConfigMap')!.object as { data: Record<string, string> };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hardened-start-'));
    await writeFile(path.join(dir, 'start.sh'), cm.data['start.sh']!, { mode: 0o755 });
    // A PATH with the shell tools the script uses, and no getent.
    const bin = path.join(dir, 'bin');
    await mkdir(bin);
    for (const tool of ['sh', 'awk', 'date', 'sleep', 'sort', 'cat', 'mv', 'echo']) {
      const found = (await execa('sh', ['-c', `command -v ${tool}`], { reject: false })).stdout.trim();
      if (found.startsWith('/')) await symlink(found, path.join(bin, tool));
    }
    const started = Date.now();
    const r = await execa(path.join(bin, 'sh'), [path.join(dir, 'start.sh'), 'true'], { reject: false, timeout: 20_000, env: { PATH: bin, POD_IP: '10.0.0.9' }, extendEnv: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^start\.sh: getent is missing from the image/)]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
