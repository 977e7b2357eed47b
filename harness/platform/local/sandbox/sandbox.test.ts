// The pod sandbox of namespaces mode, seen from inside real pods (fixtures/sandbox reports what
// it sees in its log) and from the host. Runs as root on Linux, as CI does; elsewhere it is skipped
// with the reason, since the sandbox cannot exist there.
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifests, resolveSystem } from '../../../manifests/index.ts';
import { NotYet, waitUntil } from '../../../util/wait.ts';
import type { RunningPlatform } from '../../types.ts';
import { LocalPlatform } from '../local-platform.ts';
import { RunDir } from '../run-dir.ts';
import { capacityUnavailable, ClaimVolumes, loopDetached } from '../volumes.ts';
import { namespacesUnavailable } from './isolation.ts';
import { fstabField, sandboxFstab } from './sandbox.ts';

const unavailable = await namespacesUnavailable();
let platform: RunningPlatform;
/** A sized claim (ext4 on a loop device) mounted before the pods start, as another run's volume would be. */
let hostVolume: { volumes: ClaimVolumes; root: string; dir: string } | null = null;
const loops = await capacityUnavailable();

/** The KEY=VALUE lines of a pod's latest container start. */
async function facts(pod: string): Promise<Record<string, string>> {
  const log = await platform.logs(pod);
  const last = log.split('=== redis-chaos: container').at(-1) ?? '';
  return Object.fromEntries(last.split('\n').filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]));
}

describe.skipIf(unavailable !== null)(`pods in namespaces mode${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    if (loops === null) {
      const root = await mkdtemp(path.join(os.tmpdir(), 'sandbox-host-mount-'));
      const volumes = new ClaimVolumes(new RunDir(root), [{ name: 'data', storage: '4Mi' }], true);
      hostVolume = { volumes, root, dir: await volumes.ensure('data', 'other-0') };
    }
    const system = resolveSystem(await loadManifests(path.join(import.meta.dirname, '../fixtures/sandbox')), { shape: { masters: 2, replicasPerMaster: 0 } });
    platform = await new LocalPlatform({ system, isolation: 'namespaces', backoff: { initialMs: 200, maxMs: 500, resetAfterMs: 60_000 } }).up();
  });
  afterAll(async () => {
    await platform?.down();
    if (!hostVolume) return;
    await hostVolume.volumes.down();
    await rm(hostVolume.root, { recursive: true, force: true });
  });

  it.skipIf(loops !== null)("hold none of the host's mounts: a volume the host unmounts lets its loop device go", async () => {
    // unshare copies the host's mount tree into each container; enter.sh detaches that copy. A copy
    // kept holds the filesystem, and so the loop device, until the pod ends: another run's down()
    // would leave its volumes' devices attached.
    await execa('umount', [hostVolume!.dir]);
    // A pod another test file is starting right now holds its copy for milliseconds; this file's
    // pods, were their copies kept, would hold it until they end, long after this wait.
    await loopDetached(`${hostVolume!.dir}.img`, 3_000);
  });

  it('expand $(VAR) in args and env as the kubelet does, $$ escaping and unknown names kept', async () => {
    const [pod0] = await platform.pods();
    const f = await facts('box-0');
    expect(f.args).toBe(`ip=${pod0!.ip} name=box-0 escaped=$(POD_IP) missing=$(NOT_SET)`);
    expect(f.address).toBe('box-0.box:6379');
  });

  it('name each pod after itself and resolve pod DNS names and the Service to the pods', async () => {
    const [pod0, pod1] = await platform.pods();
    const f = await facts('box-1');
    expect(f.hostname).toBe('box-1');
    expect(f.self).toBe(pod1!.ip);
    expect(f.peer0).toBe(pod0!.ip);
    expect(f.peer1).toBe(pod1!.ip);
    expect(f.service!.split(' ').sort()).toEqual([pod0!.ip, pod1!.ip].sort());
    // The exec readiness probe (`redis-cli -h $(hostname) ping`) runs inside the pod: it resolves.
    expect((await platform.pods()).every((p) => p.ready)).toBe(true);
  });

  it('give each pod its own network: one interface on the run bridge, no default route', async () => {
    const f = await facts('box-0');
    expect(f.interfaces!.split(' ').filter(Boolean).sort()).toEqual(['eth0', 'lo']);
    expect(f.routes).toBe('1'); // the /24 of the bridge, nothing else
  });

  it('mount volumes at their paths, ConfigMaps read-only, and keep the PVC across container starts', async () => {
    const f = await facts('box-0');
    expect(f.conf).toBe('read-only');
    expect(f.tmp).toBe('0');
    // An emptyDir at a path with a blank, which the sandbox's fstab escapes.
    expect(f.scratch).toBe('mounted');
    await platform.crash('box-0');
    await waitUntil('box-0 restarted', async () => {
      if ((await facts('box-0')).data !== '1') throw new NotYet('not restarted yet');
    }, { timeoutMs: 10_000, intervalMs: 100 });
  });

  it('start every container on a fresh writable layer, and let nothing reach the host', async () => {
    // The first start wrote /etc/left-by-last-start; the restart (previous test) does not see it.
    expect((await facts('box-0')).layer).toBe('fresh');
    await expect(access('/usr/written-by-pod')).rejects.toThrow();
    await expect(access('/etc/left-by-last-start')).rejects.toThrow();
  });

  it('kill a container whose liveness probe fails failureThreshold times, for its restart policy to bring it back', async () => {
    const before = (await platform.pods())[1]!;
    await platform.redis('box-1', ['SET', 'die', '1']);
    await waitUntil('box-1 restarted by its liveness probe', async () => {
      const now = (await platform.pods())[1]!;
      if (now.restarts <= before.restarts || !now.ready) throw new NotYet(`restarts ${now.restarts}`);
    }, { timeoutMs: 15_000, intervalMs: 200 });
    expect(await platform.logs('box-1')).toMatch(/liveness probe failed 2 times in a row: killing the container/);
  });

  it('cut a pod off with a partition, and heal it', async () => {
    const [pod0, pod1] = await platform.pods();
    const ping = (from: string, to: string) => platform.redisCli(from, ['-h', to, '-p', '6379', 'ping'], { timeoutMs: 1500 }).then((r) => r.stdout.trim(), () => 'timeout');
    expect(await ping('box-0', pod1!.ip!)).toBe('PONG');
    await platform.partition([['box-0'], ['box-1']]);
    expect(await ping('box-0', pod1!.ip!)).toBe('timeout');
    expect(await ping('box-1', pod0!.ip!)).toBe('timeout');
    // The harness, on the host side of the bridge, still reaches both.
    expect(await platform.redis('box-0', ['PING'])).toBe('PONG');
    await platform.heal();
    expect(await ping('box-0', pod1!.ip!)).toBe('PONG');
  });

  it('delay what a pod sends to its peers, and only that', async () => {
    const [, pod1] = await platform.pods();
    const rtt = async () => {
      const t = Date.now();
      await platform.redisCli('box-0', ['-h', pod1!.ip!, '-p', '6379', 'ping'], { timeoutMs: 5000 });
      return Date.now() - t;
    };
    // The fastest of three: a delay holds back every try, a busy machine only some (CI's full
    // suite, with the Kubernetes node building beside it, once took a try past the bounds below).
    const fastest = async (f: () => Promise<number>) => Math.min(await f(), await f(), await f());
    const harnessPing = async () => {
      const t = Date.now();
      expect(await platform.redis('box-0', ['PING'])).toBe('PONG');
      return Date.now() - t;
    };
    const before = await fastest(rtt);
    await platform.degrade('box-0', { delayMs: 300, jitterMs: 0 });
    // A connect and a PING: two of box-0's packets wait 300 ms each.
    expect(await rtt()).toBeGreaterThanOrEqual(before + 500);
    expect(await fastest(harnessPing)).toBeLessThan(250); // the harness is not a peer
    await platform.heal();
    expect(await fastest(rtt)).toBeLessThan(before + 250);
  });

  it('drop what a pod sends to its peers at the given rate', async () => {
    const [, pod1] = await platform.pods();
    await platform.degrade('box-0', { lossPercent: 100 });
    expect(await platform.redisCli('box-0', ['-h', pod1!.ip!, '-p', '6379', 'ping'], { timeoutMs: 1500 }).then(() => 'answered', () => 'timeout')).toBe('timeout');
    await platform.heal();
    expect((await platform.redisCli('box-0', ['-h', pod1!.ip!, '-p', '6379', 'ping'], { timeoutMs: 3000 })).stdout.trim()).toBe('PONG');
  });
});

describe.skipIf(unavailable !== null)('enter.sh', () => {
  it('refuses to start a container whose fstab has a line mount cannot parse (mount --all would skip it and exit 0)', async () => {
    const layer = await mkdtemp(path.join(os.tmpdir(), 'enter-bad-fstab-'));
    try {
      const enter = path.join(import.meta.dirname, 'enter.sh');
      const fstab = `${sandboxFstab({ layerDir: layer, dnsDir: layer, mounts: [] })}\n/one /two none bind extra fields`;
      const r = await execa('unshare', ['--mount', '--uts', '--propagation', 'private', '--', '/bin/sh', enter, layer, 'box-9', 'hosts', '/', fstab, '--', 'true'], { reject: false, timeout: 10_000 });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/parse error at line 6/);
    } finally {
      await rm(layer, { recursive: true, force: true });
    }
  });
});

describe('the sandbox fstab', () => {
  it("escapes blanks, tabs, newlines and backslashes as fstab(5)'s octal codes, and nothing else", () => {
    expect(fstabField('/var/my data\there\n\\x:y,z')).toBe('/var/my\\040data\\011here\\012\\134x:y,z');
  });
});

describe('process mode', () => {
  it('refuses network faults in one line saying why', async () => {
    const system = resolveSystem(await loadManifests(path.join(import.meta.dirname, '../fixtures/one-pod')), { shape: { masters: 1, replicasPerMaster: 0 } });
    const p = await new LocalPlatform({ system, isolation: 'processes' }).up();
    try {
      expect(p.info.isolation).toBe('processes');
      await expect(p.partition([['solo-0'], []])).rejects.toThrow(/needs --isolation namespaces/);
      await expect(p.degrade('solo-0', { delayMs: 100 })).rejects.toThrow(/needs --isolation namespaces/);
    } finally {
      await p.down();
    }
  });
});
