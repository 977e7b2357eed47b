import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { crossGroupPeers, faultTable, lossRuleset, partitionRuleset } from '../../net-rules.ts';
import type { LinkFault } from '../../types.ts';
import { failureText, runCommand } from '../../../util/fork-server.ts';
import type { PodInterface } from './network.ts';

const DELAYD = fileURLToPath(new URL('./delayd.py', import.meta.url));
/** The TUN device delayd creates inside a pod's namespace. */
const TUN = 'rcdelay0';
/** A delay daemon's own bound: no fault lasts an hour. */
const DELAYD_LIFETIME_S = 3600;

/**
 * Network faults inside the pods' own namespaces: an nft table for a partition (drop) or a loss
 * (drop at random), and for a delay, delayd.py holding what the pod sends to its peers. Every
 * namespace touched is remembered, so `heal()` undoes exactly what was done.
 */
export class LocalNetFaults {
  private readonly touched = new Map<string, PodInterface>();
  private readonly delays = new Map<string, ResultPromise>();

  private readonly table: string;

  constructor(runId: string, private readonly env: Record<string, string>) {
    this.table = faultTable(runId);
  }

  /** Every pod of each group cut off from every pod of the other groups, both ways. */
  async partition(groups: PodInterface[][]): Promise<void> {
    for (const { member, others } of crossGroupPeers(groups)) await this.cut(member, others.map((o) => o.ip));
  }

  async degrade(target: PodInterface, fault: LinkFault, peers: string[]): Promise<void> {
    if (fault.delayMs !== undefined) await this.delay(target, fault.delayMs, fault.jitterMs ?? 0, peers);
    if (fault.lossPercent !== undefined) await this.loss(target, fault.lossPercent, peers);
  }

  /** Drops all traffic between `target` and each of `peers`, both ways, in `target`'s namespace. */
  async cut(target: PodInterface, peers: string[]): Promise<void> {
    if (peers.length === 0) return;
    await this.ruleset(target, partitionRuleset(this.table, peers));
  }

  async loss(target: PodInterface, percent: number, peers: string[]): Promise<void> {
    if (peers.length === 0) return;
    await this.ruleset(target, lossRuleset(this.table, peers, percent));
  }

  /** `delayMs` ± `jitterMs` on what `target` sends to `peers`: their /32 routes go through delayd's TUN. */
  async delay(target: PodInterface, delayMs: number, jitterMs: number, peers: string[]): Promise<void> {
    await this.stopDelay(target.netns);
    this.touched.set(target.netns, target);
    const daemon = execa('nsenter', [`--net=/run/netns/${target.netns}`, '--', 'python3', DELAYD, TUN, String(delayMs), String(jitterMs), String(DELAYD_LIFETIME_S)], {
      env: this.env, extendEnv: false, reject: false, stdin: 'ignore', buffer: false,
    });
    this.delays.set(target.netns, daemon);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`delayd in ${target.netns} did not start within 5 s`)), 5000);
      daemon.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void daemon.then((r) => {
        clearTimeout(timer);
        reject(new Error(`delayd in ${target.netns} exited: ${String(r.stderr ?? '').trim() || `code ${r.exitCode}`}`));
      });
    });
    for (const ip of peers) await inNetns(target.netns, 'ip', ['route', 'replace', `${ip}/32`, 'dev', TUN, 'src', target.ip]);
  }

  /** Heals every namespace a fault touched; `alive` filters out those already deleted with their pod. */
  async heal(alive: (netns: string) => boolean = () => true): Promise<string[]> {
    const healed: string[] = [];
    for (const [netns] of [...this.touched]) {
      this.touched.delete(netns);
      // The TUN and every route through it vanish with the daemon.
      await this.stopDelay(netns);
      if (!alive(netns)) continue;
      await inNetns(netns, 'nft', ['delete', 'table', 'inet', this.table], undefined, true);
      healed.push(netns);
    }
    return healed;
  }

  private async ruleset(target: PodInterface, rules: string): Promise<void> {
    this.touched.set(target.netns, target);
    await inNetns(target.netns, 'nft', ['delete', 'table', 'inet', this.table], undefined, true);
    await inNetns(target.netns, 'nft', ['-f', '-'], rules);
  }

  private async stopDelay(netns: string): Promise<void> {
    const daemon = this.delays.get(netns);
    if (!daemon) return;
    this.delays.delete(netns);
    daemon.kill('SIGKILL');
    await daemon.catch(() => undefined);
  }
}

async function inNetns(netns: string, tool: string, args: string[], input?: string, mayFail = false): Promise<void> {
  const result = await runCommand('nsenter', [`--net=/run/netns/${netns}`, '--', tool, ...args], { ...(input !== undefined ? { input } : {}), timeout: 10_000 });
  if (result.exitCode !== 0 && !mayFail) throw new Error(`${tool} ${args.join(' ')} in ${netns}: ${failureText(result)}`);
}
