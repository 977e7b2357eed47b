// What disk-full must catch, on real processes: manifests whose claims are too small for the AOF
// their load writes. Under disk-full-master's load (held for a longer settle, so that the AOF has
// time to outgrow a 128Ki claim: 10–16 KB/s per shard here, the lower figure with npm test's other
// files running alongside, when a 256Ki claim did not always fill in time), every shard's claim
// fills up by itself, and the run fails in one line per claim naming it, its size and what Redis said.
import { describe, expect, it } from 'vitest';
import { manifestsWith, runScenario } from '../testing/run-cli.ts';
import { namespacesUnavailable } from '../platform/local/sandbox/isolation.ts';
import { capacityUnavailable } from '../platform/local/volumes.ts';

const why = (await namespacesUnavailable()) ?? (await capacityUnavailable());

describe.skipIf(why !== null)(`a claim too small for its AOF (${why ?? 'namespaces and loop devices'})`, () => {
  it('fails disk-full-master with a line naming the claim, its size and what Redis said', async () => {
    const manifests = await manifestsWith({ 'redis-cluster/statefulset.yaml': (t) => t.replace('storage: 1Gi', 'storage: 128Ki') });
    const { exitCode, summary, output } = await runScenario(manifests, 'disk-full-master', ['--isolation', 'namespaces'], { HARNESS_SETTLE_MS: '15000' });
    expect(exitCode, output).toBe(1);
    const s = summary.scenarios[0]!;
    expect(s.status).toBe('failed');
    const check = s.checks.find((c) => c.name === 'disk-full');
    expect(check?.valid).toBe(false);
    // Shards 1 and 2 are never filled by the harness: their claims filled up on their own.
    expect(check?.message).toMatch(/claim data-redis-cluster-1 \(requests\.storage 128Ki\) filled up with no fill by the harness: \d+ writes to (hits|s\d+\{\w+\})( and \d+ other keys)? \(slot \d+, on redis-cluster-1\) refused from [\d.]+ s on, Redis said "MISCONF Errors writing to the AOF file: No space left on device"/);
    expect(check?.message).toMatch(/the volume is too small for what Redis writes to it$/);
  }, 170_000);
});
