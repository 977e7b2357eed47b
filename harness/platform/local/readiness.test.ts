// Readiness on the local platform as the kubelet decides it: an exec probe's failures make a ready
// pod unready only `failureThreshold` runs in a row. CI: a drain on a starved machine found a budget
// at 5 healthy of 5 for 25 s, where one slow probe had been enough to count a pod out.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Probe } from '../../manifests/types.ts';
import { nextProbeState, probeReady, type ProbeState } from './readiness.ts';

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

describe('readiness by the kubelet\'s thresholds', () => {
  it('starts unready, is ready after one pass, and unready only after failureThreshold failures in a row', () => {
    const ready: boolean[] = [];
    let state: ProbeState | undefined;
    for (const [i, result] of [false, true, false, false, true, false, false, false, false, true].entries()) {
      state = nextProbeState(state, result, 3, i * 1000);
      ready.push(state.ready);
    }
    expect(ready).toEqual([false, true, true, true, true, true, true, false, false, true]);
    // failureThreshold 1: every failure counts at once.
    expect(nextProbeState(nextProbeState(undefined, true, 1, 0), false, 1, 1000).ready).toBe(false);
  });

  it('runs a real exec probe each period: a failure and a timeout leave the pod ready, a third failure in a row does not', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'readiness-test-'));
    const exit = path.join(dir, 'exit');
    // The probe exits with the file's code, or outlives its 1 s timeout when the file says "hang".
    const probe: Probe = { exec: { command: ['sh', '-c', `c=$(cat ${exit}); [ "$c" = hang ] && exec sleep 5; exit $c`] }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3 };
    let kept: ProbeState | undefined;
    // Each call a run of its own: the kept state is made a period old, as if a second had passed.
    const cache = { get: () => (kept ? { ...kept, atMs: kept.atMs - 1000 } : undefined), set: (s: ProbeState) => void (kept = s) };
    const target = { host: '127.0.0.1', port: () => 0, env: { PATH: process.env.PATH ?? '' }, cwd: dir, cache };
    const seen: boolean[] = [];
    for (const code of ['1', '0', '1', 'hang', '1', '0']) {
      await writeFile(exit, code);
      seen.push(await probeReady(probe, target, 0));
    }
    expect(seen).toEqual([false, true, true, true, false, true]);
    expect(kept).toMatchObject({ ready: true, last: true, run: 1 });
  });
});
