// A scenario that cannot start records why, and, when it had a cluster, every pod's and the app's
// log beside result.json (a 6 × 1 run under load once erred reading the counter with no log kept).
// The platform here is a stub: what is under test is what lands in the folder.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.ts';
import { recordStartFailure } from './preconditions.ts';
import type { ScenarioEnv } from './context.ts';

let runDir = '';
afterEach(() => rm(runDir, { recursive: true, force: true }));

const platform = {
  pods: async () => [{ name: 'redis-cluster-0' }, { name: 'redis-cluster-1' }],
  logs: async (pod: string) => (pod === 'redis-cluster-1' ? Promise.reject(new Error('gone')) : `${pod}: ready to accept connections`),
  appLogs: async () => 'ClusterAllFailedError: Failed to refresh slots cache.',
} as unknown as ScenarioEnv['platform'];

describe('recordStartFailure', () => {
  it('writes result.json with the error, and the logs of the pods and the app', async () => {
    runDir = await mkdtemp(path.join(os.tmpdir(), 'start-failure-'));
    await recordStartFailure({ runDir, seed: 1, signal: undefined, platform }, 'kill-master', new HarnessError('could not read the counter'));
    const dir = path.join(runDir, 'scenarios', 'kill-master');
    expect(JSON.parse(await readFile(path.join(dir, 'result.json'), 'utf8'))).toMatchObject({ status: 'error', error: 'could not read the counter' });
    expect((await readdir(path.join(dir, 'logs'))).sort()).toEqual(['hit-counter.log', 'redis-cluster-0.log', 'redis-cluster-1.log']);
    expect(await readFile(path.join(dir, 'logs', 'hit-counter.log'), 'utf8')).toMatch(/Failed to refresh slots cache/);
    expect(await readFile(path.join(dir, 'logs', 'redis-cluster-1.log'), 'utf8')).toMatch(/^\(logs unavailable: Error: gone\)$/);
  });

  it('writes no logs without a cluster', async () => {
    runDir = await mkdtemp(path.join(os.tmpdir(), 'start-failure-'));
    await recordStartFailure({ runDir, seed: 1, signal: undefined }, 'kill-master', new HarnessError('no session'));
    expect(await readdir(path.join(runDir, 'scenarios', 'kill-master'))).toEqual(['result.json']);
  });
});
