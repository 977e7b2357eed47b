import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { HarnessError } from '../../errors.ts';
import type { ConfigMap, Container, PodTemplate, Source } from '../../manifests/types.ts';
import type { PodPhase } from '../types.ts';
import { LocalContainer, type Backoff } from './container.ts';
import { imageArgv, localImage } from './images.ts';
import type { RunDir } from './run-dir.ts';
import { translatePaths, type MountMap } from './translate.ts';

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
  allocateIp(): Promise<string>;
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

  constructor(
    readonly name: string,
    readonly ordinal: number,
    private readonly ctx: PodContext,
  ) {}

  get main(): LocalContainer {
    const main = this.containers[0];
    if (!main) throw new HarnessError(`pod ${this.name} has no running container`);
    return main;
  }

  /** `ip`: the address this incarnation gets instead of the next free one (an IP-reuse fault). */
  async create(ip?: string): Promise<void> {
    const { template, source, runDir } = this.ctx;
    this.incarnation = randomUUID();
    this.ip = ip ?? (await this.ctx.allocateIp());
    const podDir = runDir.pod(this.name);
    await rm(podDir, { recursive: true, force: true });
    await mkdir(podDir, { recursive: true });
    this.containers = [];
    for (const container of template.containers) {
      const mounts = await this.mountsFor(container, podDir);
      const image = localImage(container, source);
      const translated = imageArgv(container, image).map((a) => translatePaths(a, mounts));
      const env: Record<string, string> = { ...this.ctx.baseEnv, HOSTNAME: this.name };
      for (const e of container.env) env[e.name] = e.fieldRef ? this.fieldRef(e.fieldRef) : translatePaths(e.value ?? '', mounts);
      const adapted = this.ctx.adapt(container, this.ip, translated);
      const dataMount = mounts.find((m) => m.mountPath === '/data');
      this.containers.push(new LocalContainer({
        name: container.name,
        argv: adapted.argv,
        env: { ...env, ...adapted.env },
        cwd: image.kind === 'hit-counter' ? image.cwd : (dataMount?.hostPath ?? podDir),
        logFile: runDir.log(this.name, container.name),
        restartPolicy: template.restartPolicy,
        backoff: this.ctx.backoff,
      }));
    }
    this.phase = 'Running';
    for (const c of this.containers) c.start();
  }

  async delete(gracePeriodSeconds: number): Promise<void> {
    this.phase = 'Terminating';
    await Promise.all(this.containers.map((c) => c.stop(gracePeriodSeconds * 1000)));
    this.containers = [];
    this.ip = null;
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

  private async mountsFor(container: Container, podDir: string): Promise<MountMap> {
    const { template, configMaps, runDir, claimTemplates, source } = this.ctx;
    const mounts: MountMap = [];
    // Two passes: ConfigMap text is translated with the full mount map, including later mounts.
    for (const m of container.volumeMounts) {
      const volume = template.volumes.find((v) => v.name === m.name);
      if (!volume && claimTemplates.includes(m.name)) {
        mounts.push({ mountPath: m.mountPath, hostPath: runDir.claim(m.name, this.name) });
      } else if (volume?.kind === 'unsupported') {
        throw new HarnessError(`${source.file} (document ${source.documentIndex}): volume "${volume.name}" (${volume.description}) is not supported by the local platform`);
      } else if (volume) {
        mounts.push({ mountPath: m.mountPath, hostPath: path.join(podDir, 'volumes', volume.name) });
      }
    }
    for (const { hostPath } of mounts) await mkdir(hostPath, { recursive: true });
    for (const m of container.volumeMounts) {
      const volume = template.volumes.find((v) => v.name === m.name);
      if (volume?.kind !== 'configMap') continue;
      const dir = path.join(podDir, 'volumes', volume.name);
      for (const [key, text] of Object.entries(configMaps.get(volume.configMap)?.data ?? {})) {
        const file = path.join(dir, key);
        await writeFile(file, translatePaths(text, mounts));
        await chmod(file, volume.defaultMode); // explicit: writeFile's mode is filtered by the umask
      }
    }
    return mounts;
  }
}
