// examples/hardened's start.sh, run as the container runs it, with the shell tools it uses and a
// getent of the test's making (or none).
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifests } from './index.ts';

const HARDENED = path.resolve(import.meta.dirname, '../../examples/hardened');
let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

/** start.sh in a fresh folder, its /data and /tmp files moved into it, and a PATH (bin) with the tools it uses. */
async function startScript(): Promise<{ dir: string; bin: string; script: string }> {
  const set = await loadManifests(HARDENED);
  const cm = set.documents.find((d) => d.object.kind === 'ConfigMap')!.object as { data: Record<string, string> };
  dir = await mkdtemp(path.join(os.tmpdir(), 'hardened-start-'));
  const text = cm.data['start.sh']!.replace('NODES=/data/nodes.conf', `NODES=${dir}/nodes.conf`).replace('PEERS=/tmp/peers', `PEERS=${dir}/peers`);
  expect([text.includes('NODES=/data/nodes.conf'), text.includes('PEERS=/tmp/peers\n')]).toEqual([false, false]);
  const script = path.join(dir, 'start.sh');
  await writeFile(script, text, { mode: 0o755 });
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  for (const tool of ['sh', 'awk', 'date', 'sleep', 'sort', 'cat', 'mv']) {
    const found = (await execa('sh', ['-c', `command -v ${tool}`], { reject: false })).stdout.trim();
    if (found.startsWith('/')) await symlink(found, path.join(bin, tool));
  }
  return { dir, bin, script };
}

describe("the hardened example's start.sh", () => {
  // Without getent every peer would look unresolvable and each start would wait out 60 s.
  it('fails at once, in one line, when the image has no getent', async () => {
    const { bin, script } = await startScript();
    const started = Date.now();
    const r = await execa(path.join(bin, 'sh'), [script, 'true'], { reject: false, timeout: 20_000, env: { PATH: bin, POD_IP: '10.0.0.9' }, extendEnv: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^start\.sh: getent is missing from the image/)]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  // CI: a pod's redis-server did not listen 27 s into a full restart, and its log was empty; the
  // script was waiting for its peers' names and did not say so.
  it('says which peers it waits for, rewrites the ones that resolve and keeps the last known IP of the others', async () => {
    const { dir, bin, script } = await startScript();
    await writeFile(path.join(bin, 'getent'), '#!/bin/sh\n[ "$2" = redis-cluster-1.h ] && echo "10.0.0.22 $2" && exit 0\nexit 2\n', { mode: 0o755 });
    await writeFile(path.join(dir, 'nodes.conf'), [
      'a1 10.0.0.1:6379@16379,redis-cluster-0.h myself,master - 0 0 1 connected 0-5460',
      'b2 10.0.0.2:6379@16379,redis-cluster-1.h master - 0 0 2 connected 5461-10922',
      'c3 10.0.0.3:6379@16379,redis-cluster-2.h master - 0 0 3 connected 10923-16383',
      'vars currentEpoch 3 lastVoteEpoch 0',
    ].join('\n') + '\n');
    // What it execs at the end stands in for redis-server.
    const r = await execa(path.join(bin, 'sh'), [script, '/bin/true'], { reject: false, timeout: 20_000, env: { PATH: bin, POD_IP: '10.0.0.9', PEER_RESOLVE_TIMEOUT_SECONDS: '2' }, extendEnv: false });
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')).toEqual([
      "start.sh: waiting up to 2 s for the peers' addresses: redis-cluster-2.h",
      'start.sh: unresolved: redis-cluster-2.h; keeping their last known IPs',
      "start.sh: nodes.conf rewritten from the peers' current addresses",
    ]);
    expect((await readFile(path.join(dir, 'nodes.conf'), 'utf8')).split('\n').map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      'a1 10.0.0.9:6379@16379,redis-cluster-0.h',
      'b2 10.0.0.22:6379@16379,redis-cluster-1.h',
      'c3 10.0.0.3:6379@16379,redis-cluster-2.h',
      'vars currentEpoch',
      '',
    ]);
  });
});
