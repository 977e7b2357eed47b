// oom-kills on recorded histories: silent without a limit, a pass with no kill or a survived one,
// and a failure, naming the kill, on a history that lost acknowledged writes after one.
import { describe, expect, it } from 'vitest';
import { evidence } from '../testing/evidence.ts';
import { oomKillsChecker } from './index.ts';

const limitBytes = 64 * 2 ** 20;
const kill = { pod: 'redis-cluster-0', atMs: 1200, mainProcess: true };

describe('oom-kills', () => {
  it('has nothing to watch without a memory limit', () => {
    expect(oomKillsChecker(evidence())).toMatchObject({ valid: true, message: 'no memory limit in the manifests: nothing to watch' });
  });

  it('passes a run with no OOM kill, saying so', () => {
    expect(oomKillsChecker(evidence({ memory: { limitBytes, oomKills: [] } }))).toMatchObject({ valid: true, message: 'no OOM kill under the 64Mi memory limit' });
  });

  it('reports a kill that was survived: recovered, nothing acknowledged lost', () => {
    const r = oomKillsChecker(evidence({ memory: { limitBytes, oomKills: [kill, { ...kill, pod: 'redis-cluster-3', mainProcess: false }] }, recoveredAtMs: 5000 }));
    expect(r.valid).toBe(true);
    expect(r.message).toBe('2 OOM kills under the 64Mi limit: redis-cluster-0 at 1.2 s (redis-server itself: the container restarted, exit 137 OOMKilled); '
      + 'redis-cluster-3 at 1.2 s (a forked child: redis-server survived); survived: recovered, no acknowledged write lost');
  });

  it('fails when acknowledged writes were lost after a kill (the sequential history acknowledged 10, the final read says 7)', () => {
    const r = oomKillsChecker(evidence({ memory: { limitBytes, oomKills: [kill] }, recoveredAtMs: 5000, finalRead: 7 }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/^1 OOM kill under the 64Mi limit: redis-cluster-0 at 1\.2 s .*; 3 acknowledged writes lost after it$/);
  });

  it('fails when the cluster never recovered after a kill, and is unknown without a final read', () => {
    expect(oomKillsChecker(evidence({ memory: { limitBytes, oomKills: [kill] }, recoveredAtMs: null })).message).toMatch(/the cluster did not recover after it$/);
    expect(oomKillsChecker(evidence({ memory: { limitBytes, oomKills: [kill] }, recoveredAtMs: 5000, finalRead: null })).valid).toBe('unknown');
  });
});
