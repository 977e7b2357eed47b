import { describe, expect, it } from 'vitest';
import { manifestsWith, runScenario as scenario } from '../testing/run-cli.ts';

describe('the scenarios catch the manifest defects they claim to, on real processes', () => {
  it('master-and-replica fails manifests without persistence: the shard comes back empty and its counter is lost', async () => {
    const manifests = await manifestsWith({ 'redis-cluster/configmap.yaml': (t) => t.replace('    appendonly yes\n', '    appendonly no\n    save ""\n') });
    const { exitCode, summary, output } = await scenario(manifests, 'master-and-replica');
    expect(exitCode, output).toBe(1);
    const s = summary.scenarios[0]!;
    expect(s.status).toBe('failed');
    expect(s.checks.find((c) => c.name === 'counter')).toMatchObject({ valid: false });
    expect(s.metrics.lostAcknowledged).toBeGreaterThan(0);
  }, 180_000);

  it("rolling-restart fails manifests whose update-node.sh is gone: re-created nodes announce their old IPs", async () => {
    // The container runs redis-server directly; nothing rewrites the myself line of nodes.conf.
    const manifests = await manifestsWith({ 'redis-cluster/configmap.yaml': (t) => t.replace(/^ {4}sed -i -e .*$/m, '    true') });
    const { exitCode, summary, output } = await scenario(manifests, 'rolling-restart');
    expect(exitCode, output).toBe(1);
    const s = summary.scenarios[0]!;
    expect(s.status).toBe('failed');
    expect(s.checks.find((c) => c.name === 'config-consistent')).toMatchObject({ valid: false, message: expect.stringMatching(/believes its own address is/) });
  }, 180_000);
});
