// Contract test of the node agent's network faults: no Kubernetes here, so the scripts the agent
// runs in a pod's network namespace are run in real namespaces of this machine (as root), and the
// wrapper that finds the pod's process on its node is checked as text. tc netem, which the agent
// uses for delay on Kubernetes nodes, is missing from this machine's kernel: its script is text only.
// (The namespaces are not named rc-…: a run's sweeper would take an idle one for a leftover.)
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { degradeScript, healScript, partitionScript } from '../net-rules.ts';
import { bareContainerId, containerIdOf, netnsScript } from './node-agent.ts';
import { namespacesUnavailable } from '../local/sandbox/isolation.ts';

const unavailable = await namespacesUnavailable();
const A = `agent-test-${process.pid}-a`;
const B = `agent-test-${process.pid}-b`;
const TABLE = 'rc_agenttest';
const inNs = (ns: string, script: string) => execa('nsenter', [`--net=/run/netns/${ns}`, '--', 'sh', '-c', script], { reject: false, timeout: 10_000 });
/** The exit code of a connect to port 7 (no listener) of `ip`, from `from`: 1 refused, 124 timed out. */
const reach = (from: string, ip: string) =>
  execa('nsenter', [`--net=/run/netns/${from}`, '--', 'bash', '-c', `timeout 1 bash -c 'exec 3<>/dev/tcp/${ip}/7' 2>/dev/null; echo $?`], { reject: false }).then((r) => r.stdout.trim());

describe.skipIf(unavailable !== null)(`the agent's network-fault scripts on a real kernel${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    for (const ns of [A, B]) await execa('ip', ['netns', 'add', ns]);
    await execa('ip', ['-n', A, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', B]);
    await execa('ip', ['-n', A, 'addr', 'add', '10.254.253.1/24', 'dev', 'eth0']);
    await execa('ip', ['-n', B, 'addr', 'add', '10.254.253.2/24', 'dev', 'eth0']);
    for (const ns of [A, B]) await execa('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
  });
  afterAll(async () => {
    for (const ns of [A, B]) await execa('ip', ['netns', 'del', ns], { reject: false });
  });

  // Port 7 has no listener: a refused connect (exit 1) proves the path is open; a timeout (124) that it is cut.
  it('partition drops the peer both ways, heal restores it', async () => {
    expect(await reach(A, '10.254.253.2')).toBe('1');
    expect((await inNs(A, partitionScript(TABLE, ['10.254.253.2']))).exitCode).toBe(0);
    expect(await reach(A, '10.254.253.2')).toBe('124');
    expect(await reach(B, '10.254.253.1')).toBe('124');
    expect((await inNs(A, healScript(TABLE, 'eth0'))).exitCode).toBe(0);
    expect(await reach(A, '10.254.253.2')).toBe('1');
  });

  it('loss of 100% drops what the pod sends to the peer; heal restores it', async () => {
    expect((await inNs(A, degradeScript(TABLE, 'eth0', { lossPercent: 100 }, ['10.254.253.2']))).exitCode).toBe(0);
    expect(await reach(A, '10.254.253.2')).toBe('124');
    await inNs(A, healScript(TABLE, 'eth0'));
    expect(await reach(A, '10.254.253.2')).toBe('1');
  });

  it('heals a pod that has no fault without failing', async () => {
    expect((await inNs(B, healScript(TABLE, 'eth0'))).exitCode).toBe(0);
  });
});

describe('the agent\'s scripts as text', () => {
  it('delay is netem on a fourth prio band, filtered to the peers only', () => {
    const script = degradeScript(TABLE, 'eth0', { delayMs: 200, jitterMs: 50 }, ['10.0.0.3']);
    expect(script).toContain('tc qdisc replace dev eth0 root handle 1: prio bands 4');
    expect(script).toContain('tc qdisc replace dev eth0 parent 1:4 handle 40: netem delay 200ms 50ms distribution normal');
    expect(script).toContain('tc filter add dev eth0 parent 1:0 protocol ip prio 1 u32 match ip dst 10.0.0.3/32 flowid 1:4');
  });

  it('runs a script with nsenter in the network namespace of the container\'s init, quoting it whole', () => {
    const [sh, c, body] = netnsScript('containerd://0123456789abcdef', "echo 'it''s'");
    expect([sh, c]).toEqual(['sh', '-c']);
    expect(body).toContain('grep -l 0123456789abcdef /proc/[0-9]*/cgroup');
    expect(body).toContain("nsenter -t ${d#/proc/} -n -- sh -c 'echo '\\''it'\\'''\\''s'\\'''");
    expect(body).toMatch(/exit 3$/); // no such process on the node: a failure, never a silent pass
  });
});

describe('which container a fault reaches', () => {
  it('is the Redis container by name, though the kubelet lists a sidecar named before it first', () => {
    const pod = { status: { containerStatuses: [
      { name: 'exporter', containerID: `containerd://${'ee'.repeat(32)}` },
      { name: 'redis', containerID: `containerd://${'ab'.repeat(32)}` },
    ] } };
    expect(containerIdOf(pod as never, 'redis')).toBe(`containerd://${'ab'.repeat(32)}`);
    expect(containerIdOf(pod as never, 'valkey')).toBeNull();
  });

  it("takes any runtime's id scheme: containerd, CRI-O, Docker", () => {
    for (const scheme of ['containerd', 'cri-o', 'docker']) expect(bareContainerId(`${scheme}://${'0f'.repeat(32)}`)).toBe('0f'.repeat(32));
    expect(() => bareContainerId('cri-o://not-an-id')).toThrow(/unexpected container id/);
  });
});
