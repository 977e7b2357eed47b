// Recovery is judged by each node's own view; the nodes' agreement on each other follows by gossip,
// up to half a node timeout later (a peer learns that the restarted master is a replica now only
// from its next ping). The verdict's final topology must wait for that agreement, not for the
// settle's length: with no settle at all, config-consistent still holds.
import { describe, expect, it } from 'vitest';
import { REPO_MANIFESTS } from '../testing/local-cluster.ts';
import { runScenario } from '../testing/run-cli.ts';

describe('recovery, then agreement', () => {
  it('kill-master with no settle: recovered by the nodes\' own views, judged once they agree on each other', async () => {
    // At node timeout 6000 a peer may hear of the old master's new role up to 3 s after it synced.
    const { exitCode, summary, output } = await runScenario(REPO_MANIFESTS, 'kill-master', ['--node-timeout', '6000'], { HARNESS_SETTLE_MS: '1', HARNESS_WARMUP_MS: '300-300' });
    expect(exitCode, output).toBe(0);
    const lines = output.split('\n');
    const recovered = lines.findIndex((l) => l.includes('recovered: cluster_state:ok everywhere'));
    const verdict = lines.findIndex((l) => l.includes('verdict: passed'));
    expect(recovered, output).toBeGreaterThan(-1);
    expect(verdict).toBeGreaterThan(recovered);
    const checks = summary.scenarios[0]!.checks;
    expect(checks.find((c) => c.name === 'config-consistent'), output).toMatchObject({ valid: true });
    expect(checks.find((c) => c.name === 'topology-restored'), output).toMatchObject({ valid: true });
  }, 170_000);
});
