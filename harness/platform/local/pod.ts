import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { HarnessError } from '../../errors.ts';
import type { ConfigMap, Container, PodTemplate, Source } from '../../manifests/types.ts';
import type { PodPhase } from '../types.ts';
import { LocalContainer, type Backoff } from './container.ts';
import { cgroupLimits, type RunCgroups } from './cgroups.ts';
import { imageArgv, localImage } from './images.ts';
import type { RunDir } from './run-dir.ts';
import { translatePaths, type MountMap } from './translate.ts';
import { expand, expandEnv } from './expand.ts';
import type { PodInterface, PodNetwork } from './sandbox/network.ts';
import { sandboxArgv, type SandboxMount } from './sandbox/sandbox.ts';

export interface PodContext {
  runDir: RunDir;
  template: PodTemplate;
  source: Source;
  configMaps: Map<string, ConfigMap>;
  claimTemplates: string[];
  backoff: Backoff;
  baseEnv: Record<string, string>;
  /** What the platform adds to a container's argv and env once the pod has its IP. */
  adapt(container: Container, ip: string, argv: string[]): { argv: string[]; env: Record<string, string> };
  /** Process mode: the next free loopback address. */
  allocateIp(): Promise<string>;
  /** Namespaces mode: each incarnation gets a network namespace on the run's bridge and a sandbox. */
  sandbox?: { network: PodNetwork; dnsDir: string; hostsFile(pod: string): string };
  /** Called once the incarnation has its IP, before any container starts: DNS must know it first. */
  beforeStart?(): Promise<void>;
  /** Where containers with `resources` get their cgroups; unset when no container has any. */
  cgroups?: RunCgroups;
  /** A claim's folder, its filesystem made the first time (volumes.ts); unset, a plain folder of the run. */
  claim?(name: string, pod: string): Promise<string>;
  /** The app's pods: the run's build of the hit counter's image (app-bundle.ts). */
  appBundle?: string;
}

/**
 * One pod, across its incarnations. `create()` gives it a new UID and IP, fresh emptyDir and
 * ConfigMap volumes, and the PVC folder it had before; `delete()` ends the incarnation.
 */
export class LocalPod {
  incarnation = '';
  ip: string | null = null;
  phase: PodPhase = 'Pending';
  containers: LocalContainer[] = [];
  /** The next incarnation's network namespace, made ahead (prepareNetwork), for the address asked for. */
  private prepared: { ip: string | undefined; iface: Promise<PodInterface> } | null = null;
  /** Namespaces mode: this incarnation's network namespace. */
  iface: PodInterface | null = null;
  /** The main container's mounts: process mode rewrites an exec probe's paths with them. */
  mounts: MountMap = [];
  /** The node the pod is bound to (see node-pool.ts); null while unscheduled. */
  node: string | null = null;
  /** Why the pod is not running (unschedulable, its node lost); null otherwise. */
  reason: string | null = null;

  constructor(
    readonly name: string,
    readonly ordinal: number,
    private readonly ctx: PodContext,
  ) {}

  get labels(): Record<string, string> {
    return this.ctx.template.labels;
  }

  get main(): LocalContainer {
    const main = this.containers[0];
    if (!main) throw new HarnessError(`pod ${this.name} has no running container`);
    return main;
  }

  /**
   * Namespaces mode: the next incarnation's network namespace, made ahead of create(), as claims
   * are (OrderedReady makes every pod's at once, then starts the pods one by one). Nothing runs in
   * it until create(); one never used goes with the run's network.
   */
  prepareNetwork(ip?: string): void {
    if (!this.ctx.sandbox || this.prepared) return;
    const iface = this.ctx.sandbox.network.attach(this.name, ip);
    iface.catch(() => undefined); // create() rethrows it
    this.prepared = { ip, iface };
  }

  /** This incarnation's create() while it runs: delete() waits for it (see there). */
  private creating: Promise<void> | null = null;

  /** `ip`: the address this incarnation gets instead of the next free one (an IP-reuse fault). */
  create(ip?: string): Promise<void> {
    const creating = this.createIncarnation(ip);
    this.creating = creating;
    const done = () => {
      if (this.creating === creating) this.creating = null;
    };
    creating.then(done, done);
    return creating;
  }

  private async createIncarnation(ip?: string): Promise<void> {
    const { template, source, runDir, sandbox } = this.ctx;
    this.incarnation = randomUUID();
    if (sandbox) {
      const prepared = this.prepared && this.prepared.ip === ip ? this.prepared.iface : null;
      // One made for another address (this start was given its own) goes now, not with the run.
      if (this.prepared && !prepared) void this.prepared.iface.then((i) => sandbox.network.detach(i), () => undefined);
      this.prepared = null;
      this.iface = await (prepared ?? sandbox.network.attach(this.name, ip));
      this.ip = this.iface.ip;
    } else {
      this.ip = ip ?? (await this.ctx.allocateIp());
    }
    const podDir = runDir.pod(this.name);
    // The folders and small files of a pod are made synchronously: OrderedReady starts pods one
    // by one, and each awaited step waited its turn on a main thread busy serving vitest's worker
    // (10-100 ms per pod, measured). Removing an old incarnation's folder, which may be large, is not.
    if (existsSync(podDir)) await rm(podDir, { recursive: true, force: true });
    mkdirSync(podDir, { recursive: true });
    this.containers = [];
    for (const container of template.containers) {
      const mounts = await this.mountsFor(container, podDir);
      if (this.containers.length === 0) this.mounts = mounts;
      const image = localImage(container, source);
      // In process mode, paths are the one liberty: mount paths become the pod's folders.
      const localize = (text: string) => (sandbox ? text : translatePaths(text, mounts));
      const declared = expandEnv(container.env.map((e) => ({ name: e.name, value: e.fieldRef ? this.fieldRef(e.fieldRef) : e.value ?? '' })));
      const argv = imageArgv(container, image, this.ctx.appBundle).map((a) => localize(expand(a, declared)));
      const env: Record<string, string> = { ...this.ctx.baseEnv, HOSTNAME: this.name };
      for (const [name, value] of Object.entries(declared)) env[name] = localize(value);
      const adapted = this.ctx.adapt(container, this.ip, argv);
      const dataMount = mounts.find((m) => m.mountPath === '/data');
      const appDir = image.kind === 'hit-counter' && this.ctx.appBundle ? path.dirname(this.ctx.appBundle) : null;
      const cwd = appDir ?? (sandbox ? (dataMount ? '/data' : '/') : (dataMount?.hostPath ?? podDir));
      let finalArgv = adapted.argv;
      if (sandbox && this.iface) {
        const layerDir = path.join(podDir, 'layers', container.name);
        mkdirSync(layerDir, { recursive: true });
        finalArgv = sandboxArgv({
          iface: this.iface, layerDir, hostname: this.name, dnsDir: sandbox.dnsDir, hostsFile: sandbox.hostsFile(this.name), cwd,
          mounts: [
            // The app's "image" is the run's bundle of it: its folder mounted read-only where it
            // is, since the run folder under /tmp would otherwise be hidden by the container's empty /tmp.
            ...(appDir ? [{ hostPath: appDir, mountPath: appDir, readOnly: true }] : []),
            ...mounts,
          ],
        }, adapted.argv);
      }
      this.containers.push(new LocalContainer({
        name: container.name,
        argv: finalArgv,
        env: { ...env, ...adapted.env },
        cwd: sandbox ? podDir : cwd,
        logFile: runDir.log(this.name, container.name),
        restartPolicy: template.restartPolicy,
        backoff: this.ctx.backoff,
        ...(this.ctx.cgroups && container.resources ? { cgroup: { cgroups: this.ctx.cgroups, name: `${this.name}-${container.name}`, limits: cgroupLimits(container.resources) } } : {}),
      }));
    }
    this.phase = 'Running';
    await this.ctx.beforeStart?.();
    for (const c of this.containers) c.start();
  }

  async delete(gracePeriodSeconds: number): Promise<void> {
    // A create() still under way (a Parallel start whose sibling failed, a teardown on a signal)
    // would otherwise start its containers after this stopped none, in a run being torn down,
    // and leave them running. So it finishes first, whether it succeeds or not, and its
    // containers are stopped with the rest.
    await this.creating?.catch(() => undefined);
    this.phase = 'Terminating';
    await Promise.all(this.containers.map((c) => c.stop(gracePeriodSeconds * 1000)));
    this.containers = [];
    this.ip = null;
    if (this.iface) await this.ctx.sandbox?.network.detach(this.iface);
    this.iface = null;
    this.phase = 'Pending';
    // emptyDir and ConfigMap volumes die with the incarnation; PVC folders live elsewhere.
    await rm(this.ctx.runDir.pod(this.name), { recursive: true, force: true });
  }

  killNow(): void {
    for (const c of this.containers) c.killNow();
  }

  private fieldRef(field: string): string {
    switch (field) {
      case 'status.podIP':
        return this.ip ?? '';
      case 'metadata.name':
        return this.name;
      case 'metadata.namespace':
        return 'default';
      case 'status.hostIP':
        return '127.0.0.1';
      default:
        throw new HarnessError(`${this.ctx.source.file} (document ${this.ctx.source.documentIndex}): fieldRef ${field} is not supported by the local platform`);
    }
  }

  private async mountsFor(container: Container, podDir: string): Promise<SandboxMount[]> {
    const { template, configMaps, runDir, claimTemplates, source, sandbox } = this.ctx;
    const mounts: SandboxMount[] = [];
    // Two passes: ConfigMap text is translated with the full mount map, including later mounts.
    for (const m of container.volumeMounts) {
      const volume = template.volumes.find((v) => v.name === m.name);
      if (!volume && claimTemplates.includes(m.name)) {
        mounts.push({ mountPath: m.mountPath, hostPath: this.ctx.claim ? await this.ctx.claim(m.name, this.name) : runDir.claim(m.name, this.name), readOnly: m.readOnly });
      } else if (volume?.kind === 'unsupported') {
        throw new HarnessError(`${source.file} (document ${source.documentIndex}): volume "${volume.name}" (${volume.description}) is not supported by the local platform`);
      } else if (volume) {
        // The kubelet mounts a ConfigMap read-only whatever the volumeMount says.
        mounts.push({ mountPath: m.mountPath, hostPath: path.join(podDir, 'volumes', volume.name), readOnly: m.readOnly || volume.kind === 'configMap' });
      }
    }
    for (const { hostPath } of mounts) mkdirSync(hostPath, { recursive: true });
    for (const m of container.volumeMounts) {
      const volume = template.volumes.find((v) => v.name === m.name);
      if (volume?.kind !== 'configMap') continue;
      const dir = path.join(podDir, 'volumes', volume.name);
      for (const [key, text] of Object.entries(configMaps.get(volume.configMap)?.data ?? {})) {
        const file = path.join(dir, key);
        writeFileSync(file, sandbox ? text : translatePaths(text, mounts));
        chmodSync(file, volume.defaultMode); // explicit: writeFile's mode is filtered by the umask
      }
    }
    return mounts;
  }
}
