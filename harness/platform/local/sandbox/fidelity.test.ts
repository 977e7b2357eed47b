// Manifests that the process mode judged wrongly, judged on real processes in namespaces mode,
// and the hardened set passing the full restarts that the repo's manifests fail.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestsWith, runScenario } from '../../../testing/run-cli.ts';
import { namespacesUnavailable } from './isolation.ts';

const unavailable = await namespacesUnavailable();
const HARDENED = path.resolve(import.meta.dirname, '../../../../examples/hardened');
const ns = ['--isolation', 'namespaces'];

describe.skipIf(unavailable !== null)(`verdicts in namespaces mode${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('passes delete-pod-0 on manifests that announce $(POD_IP) instead of running update-node.sh', async () => {
    const manifests = await manifestsWith({
      'redis-cluster/statefulset.yaml': (t) => t.replace('command: ["/conf/update-node.sh", "redis-server", "/conf/redis.conf"]',
        'command: ["redis-server", "/conf/redis.conf"]\n        args: ["--cluster-announce-ip", "$(POD_IP)"]'),
    });
    const { exitCode, summary, output } = await runScenario(manifests, 'delete-pod-0', ns);
    expect(exitCode, output).toBe(0);
    expect(summary.isolation).toBe('namespaces');
  }, 180_000);

  it('fails crash-master on manifests whose AOF is outside the volume (dir /tmp): the restart starts empty, and nothing lands on the host', async () => {
    const onHost = async () => Promise.all(['/tmp/appendonlydir', '/tmp/dump.rdb'].map((f) => access(f).then(() => f, () => null)));
    const before = await onHost();
    const manifests = await manifestsWith({ 'redis-cluster/configmap.yaml': (t) => t.replace('    appendonly yes\n', '    appendonly yes\n    dir /tmp\n') });
    const { exitCode, summary, output } = await runScenario(manifests, 'crash-master', ns);
    expect(exitCode, output).toBe(1);
    const s = summary.scenarios[0]!;
    expect(s.checks.find((c) => c.name === 'counter')).toMatchObject({ valid: false, message: expect.stringMatching(/acknowledged increments lost/) });
    expect(s.metrics.lostAcknowledged).toBeGreaterThan(0);
    expect(await onHost()).toEqual(before);
  }, 180_000);

  it.each(['full-restart', 'full-restart-ip-shuffle'])('passes %s with the hardened manifests', async (name) => {
    const { exitCode, summary, output } = await runScenario(HARDENED, name, ns);
    expect(exitCode, output).toBe(0);
    expect(summary.scenarios[0]!.checks.find((c) => c.name === 'peer-addresses')).toMatchObject({ valid: true });
  }, 180_000);
});
