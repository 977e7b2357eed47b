import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestsWith, runScenario } from '../testing/run-cli.ts';

const HARDENED = path.resolve(import.meta.dirname, '../../examples/hardened');
// Drains evict six pods; kubectl's 5 s retry after a refused eviction would make each run a minute longer.
const FAST_DRAIN = { HARNESS_EVICTION_RETRY_MS: '1000' };

describe('the node scenarios on real processes', () => {
  it("node-crash fails the repo's manifests with all six pods forced onto one node, naming the shards and the node", async () => {
    const manifests = await manifestsWith({
      'redis-cluster/statefulset.yaml': (t) => t.replace(/^( {6})containers:$/m, '$1nodeSelector:\n$1  kubernetes.io/hostname: node-2\n$1containers:'),
    });
    const { exitCode, summary, output } = await runScenario(manifests, 'node-crash');
    expect(exitCode, output).toBe(1);
    const s = summary.scenarios[0]!;
    expect(s.status).toBe('failed');
    const domains = s.checks.find((c) => c.name === 'failure-domains')!;
    expect(domains.valid).toBe(false);
    expect(domains.message).toMatch(/^one node's loss takes a whole shard: the shard of slots 0-5460 is all on node node-2: .*; the shard of slots 5461-10922 is all on node node-2/);
  }, 180_000);

  // Placement and pairing depend on the seed: the hardened example must hold for every one tried.
  // Two seeds, not five: each is two clusters and a minute and a half of CPU on CI's 2 cores,
  // and CI must stay within its 45 minutes. These two each found a harness fault in CI (a
  // node-crash master recorded as unknown, a drain's record without its replica); seeds 3 to 5
  // never failed where they passed.
  it.each([1, 2])('examples/hardened passes node-crash and node-drain with seed %i', async (seed) => {
    const { exitCode, summary, output } = await runScenario(HARDENED, 'node-crash', ['--scenario', 'node-drain', '--parallel', '2', '--seed', String(seed)], FAST_DRAIN);
    const failing = summary.scenarios.flatMap((s) => s.checks.filter((c) => c.valid !== true).map((c) => `${s.name}: ${c.name}: ${c.message}`));
    expect(failing, output).toEqual([]);
    // An error (the harness could not judge) names its reason in the summary and the output.
    expect(summary.scenarios.map((s) => [s.name, s.status]), `${summary.scenarios.map((s) => `${s.name}: ${s.error ?? ''}`).join('\n')}\n${output}`).toEqual([['node-crash', 'passed'], ['node-drain', 'passed']]);
    expect(exitCode).toBe(0);
  }, 180_000);
});
