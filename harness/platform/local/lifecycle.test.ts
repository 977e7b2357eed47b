import { access, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../errors.ts';
import { loadManifests, resolveSystem } from '../../manifests/index.ts';
import { LocalPlatform } from './local-platform.ts';
import { listRuns, RunDir } from './run-dir.ts';
import { markedProcesses, sweepLocal } from './sweeper.ts';

const ONE_POD = path.join(import.meta.dirname, 'fixtures/one-pod');
const solo = { masters: 1, replicasPerMaster: 0 };

async function manifestsWith(statefulSet: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lifecycle-'));
  await writeFile(path.join(dir, 'statefulset.yaml'), statefulSet);
  return dir;
}

describe('local platform lifecycle', () => {
  it('a failed up() names the pod and its log, and leaves nothing running', async () => {
    const text = (await readFile(path.join(ONE_POD, 'statefulset.yaml'), 'utf8')).replace('args: ["--save", "", "--appendonly", "no"]', 'args: ["--no-such-option", "yes"]');
    const system = resolveSystem(await loadManifests(await manifestsWith(text)), { shape: solo });
    const runId = '20261201-000001-fa11';
    const error = await new LocalPlatform({ system, runId, podReadyTimeoutMs: 3000, backoff: { initialMs: 100, maxMs: 200, resetAfterMs: 60_000 } })
      .up().then(() => null, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(HarnessError);
    expect(error!.message).toMatch(/^pod solo-0 ready: not reached within 3000 ms \(last: solo-0 \(.*\) is not ready; log: .*no-such-option/s);
    expect((await markedProcesses(runId)).size).toBe(0);
    await expect(access(RunDir.for(runId).root)).rejects.toThrow();
  });

  it('an image it cannot run is a clear error naming the manifest', async () => {
    const text = (await readFile(path.join(ONE_POD, 'statefulset.yaml'), 'utf8')).replace('image: redis:7.0.15-alpine', 'image: bitnami/redis-cluster:7.2');
    const system = resolveSystem(await loadManifests(await manifestsWith(text)), { shape: solo });
    await expect(new LocalPlatform({ system }).up()).rejects.toThrow(/statefulset\.yaml \(document 0\): the local platform cannot run image "bitnami\/redis-cluster:7\.2"/);
  });

  it('--keep keeps the run folder through automatic sweeps; --sweep removes it', async () => {
    const system = resolveSystem(await loadManifests(ONE_POD), { shape: solo });
    const platform = await new LocalPlatform({ system, keep: true }).up();
    const { runId } = platform.info;
    await platform.down();
    expect((await markedProcesses(runId)).size).toBe(0); // processes stop regardless
    const record = (await listRuns()).find((r) => r.record?.runId === runId)!.record!;
    expect(record.kept).toBe(true);
    // As after the harness exited: its owner process is gone.
    const child = execa('true');
    const gone = child.pid!;
    await child;
    await writeFile(path.join(RunDir.for(runId).root, 'run.json'), JSON.stringify({ ...record, ownerPid: gone, ownerStartTicks: null }));
    await sweepLocal();
    await expect(access(RunDir.for(runId).root)).resolves.toBeUndefined();
    expect((await sweepLocal({ includeKept: true, onlyRunId: runId })).runs).toEqual([runId]);
    await expect(access(RunDir.for(runId).root)).rejects.toThrow();
  });
});
