import { randomInt } from 'node:crypto';
import { failureText, runCommand } from '../../../util/fork-server.ts';
import { bridgeName, netnsName, vethName } from './names.ts';

export interface PodInterface {
  netns: string;
  veth: string;
  ip: string;
}

/**
 * The run's pod network: one bridge on the host, one network namespace per pod incarnation with a
 * veth into it, addresses from a private /24 that nothing on the machine routes. The host keeps
 * .1 on the bridge, which is how the harness reaches pods. There is no default route in the pods,
 * forwarding is not enabled and no NAT is set, so nothing sent in the network leaves it.
 */
export class PodNetwork {
  private seq = 0;
  private next = 2;
  private readonly live = new Map<string, PodInterface>();
  /** Every address a pod of this network has had: only those can be stale in a neighbour's cache. */
  private readonly used = new Set<string>();

  private constructor(readonly runId: string, readonly prefix: string) {}

  get bridge(): string {
    return bridgeName(this.runId);
  }
  get hostIp(): string {
    return `${this.prefix}.1`;
  }

  /** Creates the bridge; `avoid` holds the /24 prefixes (a.b.c) that other live runs use. */
  static async up(runId: string, avoid: Set<string>): Promise<PodNetwork> {
    const used = await usedPrefixes();
    for (let i = 0; i < 1000; i++) {
      const prefix = `10.${randomInt(0, 256)}.${randomInt(0, 256)}`;
      if (used.has(prefix) || avoid.has(prefix)) continue;
      const network = new PodNetwork(runId, prefix);
      await ip(['-b', '-'], `link add ${network.bridge} type bridge\naddr add ${network.hostIp}/24 dev ${network.bridge}\nlink set ${network.bridge} up\n`);
      // Another run (a parallel session, the gate's other side) may have chosen the same /24 in
      // the same moment: whoever finds a second interface in it backs off and draws again.
      if ((await interfacesIn(prefix)) > 1) {
        await ip(['link', 'del', network.bridge]).catch(() => undefined);
        used.add(prefix);
        continue;
      }
      return network;
    }
    throw new Error('no free 10.x.y.0/24 range for the pod network');
  }

  /** A new namespace for one pod incarnation, on `wanted` (an IP-reuse fault) or the next free address. */
  async attach(pod: string, wanted?: string): Promise<PodInterface> {
    const seq = this.seq++;
    const address = wanted ?? this.allocate();
    const iface: PodInterface = { netns: netnsName(this.runId, pod, seq), veth: vethName(this.runId, seq), ip: address };
    this.live.set(iface.netns, iface);
    // Two processes from here rather than one per step: each costs milliseconds (a fork and exec,
    // through the fork server), and a run creates a namespace per pod incarnation.
    await ip(['-b', '-'], `netns add ${iface.netns}\nlink add ${iface.veth} type veth peer name eth0 netns ${iface.netns}\nlink set ${iface.veth} master ${this.bridge} up\n`);
    // arp_notify: eth0 announces itself (gratuitous ARP) when it comes up, so a neighbour that knew
    // this IP at a pod that is gone learns the new MAC at once. Without it, a reused IP (a full
    // restart with shuffled IPs) is unreachable from the app until its stale ARP entry times out.
    // The sysctl is the shell's own write; the addresses one batch of `ip`.
    const inside = 'echo 1 > /proc/sys/net/ipv4/conf/eth0/arp_notify && exec ip -b -';
    const batch = `addr add ${address}/24 dev eth0\nlink set eth0 up\nlink set lo up\n`;
    const configured = await runCommand('nsenter', [`--net=/run/netns/${iface.netns}`, '--', 'sh', '-c', inside], { input: batch, timeout: 10_000 });
    if (configured.exitCode !== 0) throw new Error(`${iface.netns}: ${inside} <<< ${batch.trim().replaceAll('\n', '; ')}: ${failureText(configured)}`);
    // The announcement does not override an entry the kernel holds as REACHABLE (seen here: the
    // app kept the old MAC for seconds). A CNI that reuses an IP owes its neighbours a clean slate:
    // forget the address everywhere in the run's network, so the next packet asks for it afresh.
    // A first use has nothing to forget (and skips 1 + N processes per pod at start-up).
    const reused = this.used.has(address);
    this.used.add(address);
    if (reused) await Promise.all([
      ip(['neigh', 'flush', 'to', address, 'dev', this.bridge]).catch(() => undefined),
      ...[...this.live.values()].filter((i) => i !== iface).map((i) => ip(['-n', i.netns, 'neigh', 'flush', 'to', address]).catch(() => undefined)),
    ]);
    return iface;
  }

  /**
   * Removes an incarnation's namespace. Deleting the veth ends both of its sides at once. One `ip`
   * for both steps (-force: the second still runs if the first finds its link gone already).
   */
  async detach(iface: PodInterface): Promise<void> {
    this.live.delete(iface.netns);
    await ip(['-force', '-b', '-'], removal([iface])).catch(() => undefined);
  }

  /** Every namespace still live, then the bridge, in one `ip`: each process costs milliseconds. */
  async down(): Promise<void> {
    const ifaces = [...this.live.values()];
    this.live.clear();
    await ip(['-force', '-b', '-'], `${removal(ifaces)}link del ${this.bridge}\n`).catch(() => undefined);
  }

  private allocate(): string {
    const inUse = new Set([...this.live.values()].map((i) => i.ip));
    for (let tries = 0; tries < 254; tries++) {
      const host = this.next;
      this.next = this.next >= 254 ? 2 : this.next + 1;
      const address = `${this.prefix}.${host}`;
      if (!inUse.has(address)) return address;
    }
    throw new Error(`pod network ${this.prefix}.0/24 is exhausted`);
  }
}

/** `ip -b` lines that remove each incarnation's veth and namespace. */
function removal(ifaces: PodInterface[]): string {
  return ifaces.map((i) => `link del ${i.veth}\nnetns del ${i.netns}\n`).join('');
}

export async function ip(args: string[], input?: string): Promise<string> {
  const result = await runCommand('ip', args, { ...(input !== undefined ? { input } : {}), timeout: 10_000 });
  if (result.exitCode !== 0) throw new Error(`ip ${args.join(' ')}: ${failureText(result)}`);
  return result.stdout;
}

async function interfacesIn(prefix: string): Promise<number> {
  const addrs = JSON.parse((await ip(['-j', 'addr'])) || '[]') as { addr_info?: { local?: string }[] }[];
  return addrs.filter((a) => (a.addr_info ?? []).some((i) => i.local?.startsWith(`${prefix}.`))).length;
}

/** Every 10.a.b prefix that an interface address or a route on this machine already touches. */
async function usedPrefixes(): Promise<Set<string>> {
  const used = new Set<string>();
  const [addrText, routeText] = await Promise.all([ip(['-j', 'addr']), ip(['-j', 'route', 'show', 'table', 'all'])]);
  const addrs = JSON.parse(addrText || '[]') as { addr_info?: { local?: string; prefixlen?: number }[] }[];
  const routes = JSON.parse(routeText || '[]') as { dst?: string }[];
  const cidrs = [
    ...addrs.flatMap((a) => (a.addr_info ?? []).map((i) => `${i.local}/${i.prefixlen}`)),
    ...routes.map((r) => r.dst ?? '').filter((d) => d && d !== 'default'),
  ];
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split('/');
    const octets = (address ?? '').split('.').map(Number);
    if (octets.length !== 4 || octets[0] !== 10) continue;
    const len = bits === undefined ? 32 : Number(bits);
    if (len >= 24) used.add(`10.${octets[1]}.${octets[2]}`);
    // A wider route covers many /24s: mark each of them (a /16 is 256; wider ones mark all).
    else for (let b = 0; b < 256; b++) for (let c = 0; c < 256; c++) if (inPrefix([10, b, c, 0], octets, len)) used.add(`10.${b}.${c}`);
  }
  return used;
}

function inPrefix(candidate: number[], network: number[], len: number): boolean {
  const toInt = (o: number[]) => ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
  const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
  return ((toInt(candidate) & mask) >>> 0) === ((toInt(network) & mask) >>> 0);
}
