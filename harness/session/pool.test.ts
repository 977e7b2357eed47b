import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../cli/args.ts';
import { settledWithin } from '../util/wait.ts';
import { SessionPool } from './pool.ts';

// The CLI starts vitest once the pool's pods are up (cli.ts, podsFirst): platformsUp() must settle
// then, before the cluster's bootstrap ends, and also when a start fails, or vitest would wait for
// its cap on every run whose platform could not start. Real sessions: redis-server processes.
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function poolFor(argv: string[]): Promise<SessionPool> {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'pool-test-'));
  dirs.push(reportDir);
  const { options } = parseCliArgs(['--isolation', 'processes', '--report-dir', reportDir, '--scenario', 'kill-master', ...argv], {}, ['kill-master']);
  return new SessionPool(options, 'shared', () => undefined);
}

describe('the session pool', () => {
  it("says when the shared session's pods are up, before its cluster is ready", async () => {
    const pool = await poolFor([]);
    const order: string[] = [];
    try {
      const session = pool.startShared().then(() => order.push('session ready'));
      await pool.platformsUp().then(() => order.push('pods up'));
      await session;
      expect(order).toEqual(['pods up', 'session ready']);
    } finally {
      expect(await pool.close()).toEqual([]);
    }
  });

  it('settles platformsUp() when a session could not start', async () => {
    const pool = await poolFor(['--manifests', path.join(os.tmpdir(), 'no-such-manifests')]);
    try {
      const started = pool.startShared();
      await expect(started).rejects.toThrow(/no-such-manifests/);
      expect(await settledWithin(pool.platformsUp(), 5000)).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
