// What disk-full must catch, on real processes: manifests whose claims are too small for the AOF
// their load writes. Under disk-full-master's load, every shard's claim fills up by itself, and the
// run fails in one line per claim naming it, its size and what Redis said.
// How fast an AOF grows is the load's rate, which the machine sets: about 25 KB/s a shard here
// when quiet (an 80Ki claim full 2 s into the load), but 1.5 KB/s in a CI run with npm test's
// other files and the Kubernetes node's build alongside (39 writes/s a shard, p99 483 ms), where a
// 128Ki claim (93 KB free) did not fill in 23 s of load. So the claim is 80Ki, the smallest mkfs
// makes (45 KB free), and the load is held 35 s after recovery: with the load held to that CI's
// rate (HARNESS_RATE=130), shard 1's claim was full 23.5 s into 41 s of load.
import { describe, expect, it } from 'vitest';
import { manifestsWith, runScenario } from '../testing/run-cli.ts';
import { namespacesUnavailable } from '../platform/local/sandbox/isolation.ts';
import { capacityUnavailable } from '../platform/local/volumes.ts';

const why = (await namespacesUnavailable()) ?? (await capacityUnavailable());

describe.skipIf(why !== null)(`a claim too small for its AOF (${why ?? 'namespaces and loop devices'})`, () => {
  it('fails disk-full-master with a line naming the claim, its size and what Redis said', async () => {
    const manifests = await manifestsWith({ 'redis-cluster/statefulset.yaml': (t) => t.replace('storage: 1Gi', 'storage: 80Ki') });
    const { exitCode, summary, output } = await runScenario(manifests, 'disk-full-master', ['--isolation', 'namespaces'], { HARNESS_SETTLE_MS: '35000' });
    expect(exitCode, output).toBe(1);
    const s = summary.scenarios[0]!;
    expect(s.status).toBe('failed');
    const check = s.checks.find((c) => c.name === 'disk-full');
    expect(check?.valid).toBe(false);
    // Shards 1 and 2 are never filled by the harness: their claims filled up on their own.
    expect(check?.message).toMatch(/claim data-redis-cluster-1 \(requests\.storage 80Ki\) filled up with no fill by the harness: \d+ writes to (hits|s\d+\{\w+\})( and \d+ other keys)? \(slot \d+, on redis-cluster-1\) refused from [\d.]+ s on, Redis said "MISCONF Errors writing to the AOF file: No space left on device"/);
    expect(check?.message).toMatch(/the volume is too small for what Redis writes to it$/);
  }, 170_000);
});
