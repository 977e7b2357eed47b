import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { HarnessError } from '../../errors.ts';
import type { RedisOverride, SystemUnderTest } from '../../manifests/index.ts';
import { Teardown } from '../../util/lifecycle.ts';
import { onTerminate } from '../../util/terminate.ts';
import { ownRunRecord, RunDir } from '../local/run-dir.ts';
import { KubernetesPlatform } from '../kubernetes/kubernetes-platform.ts';
import type { Platform, RunningPlatform } from '../types.ts';
import { clusterName, contextName, docker, kind, REPO_ROOT, type Command } from './commands.ts';
import { checkKindPrerequisites } from './prerequisites.ts';
import { nodesNeeded } from '../nodes-needed.ts';
import { kindConfig } from './kind-config.ts';

export interface KindPlatformOptions {
  system: SystemUnderTest;
  runId: string;
  keep: boolean;
  nodeTimeoutOverrideMs: number | null;
  redisConfig?: RedisOverride[];
  artifactsDir?: string | null;
  log?: (line: string) => void;
}

async function run(c: Command, timeoutMs: number, cwd?: string): Promise<string> {
  const r = await execa(c.file, c.args, { timeout: timeoutMs, reject: false, stdin: 'ignore', ...(cwd ? { cwd } : {}) });
  if (r.exitCode !== 0) throw new HarnessError(`${c.file} ${c.args.join(' ')} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' / ')}`);
  return r.stdout;
}

/**
 * kind, driven by execa: a fresh cluster per run (redis-chaos-<runId>), the app image built and
 * loaded into it, then the Kubernetes platform on its context. `down()` deletes the cluster unless
 * --keep; a run record lets `--sweep` find clusters whose run died.
 */
export class KindPlatform implements Platform {
  readonly kind = 'kind' as const;
  constructor(private readonly options: KindPlatformOptions) {}

  async up({ signal }: { signal?: AbortSignal } = {}): Promise<RunningPlatform> {
    await checkKindPrerequisites();
    const { runId, keep } = this.options;
    const log = this.options.log ?? (() => undefined);
    const record = RunDir.for(runId);
    await record.create(ownRunRecord(runId, `kind:${clusterName(runId)}`));
    const kubeconfig = path.join(record.root, 'kubeconfig');
    const config = path.join(record.root, 'kind-config.yaml');
    await mkdir(record.root, { recursive: true });
    const workers = nodesNeeded(this.options.system);
    const teardown = new Teardown();
    teardown.defer('run record', () => (keep ? undefined : record.remove()));
    // Ctrl-C during a run (or during the minutes kind takes to start) must still delete the cluster.
    const unregister = onTerminate(async () => {
      await teardown.run();
    });
    teardown.defer('signal hook', unregister);
    try {
      log(`kind: creating cluster ${clusterName(runId)} (1 control plane, ${workers.count} workers: ${workers.why})`);
      await writeFile(config, kindConfig(workers.count));
      teardown.defer('kind cluster', async () => {
        if (!keep) await run(kind.delete(clusterName(runId)), 180_000);
      });
      await run(kind.create(runId, kubeconfig, config), 300_000);
      log('kind: building and loading the hit-counter image');
      await run(docker.build(), 600_000, REPO_ROOT);
      await run(kind.load(runId), 300_000);
      const inner = await new KubernetesPlatform({
        system: this.options.system, runId, keep, kind: 'kind', kubeconfig, context: contextName(runId), allowContext: null,
        nodeTimeoutOverrideMs: this.options.nodeTimeoutOverrideMs, redisConfig: this.options.redisConfig ?? [], artifactsDir: this.options.artifactsDir ?? null,
      }).up(signal ? { signal } : {});
      teardown.defer('kubernetes platform', () => inner.down());
      return new KindRunning(inner, teardown, runId);
    } catch (error) {
      await teardown.run();
      throw error;
    }
  }
}

/** The Kubernetes platform on a kind cluster, plus what only kind can do: stop a node. */
class KindRunning implements RunningPlatform {
  private downPromise: Promise<void> | null = null;
  constructor(private readonly inner: RunningPlatform, private readonly teardown: Teardown, private readonly runId: string) {}
  get info() { return this.inner.info; }
  pods() { return this.inner.pods(); }
  deletePod(name: string, o?: { gracePeriodSeconds?: number }) { return this.inner.deletePod(name, o); }
  crash(name: string) { return this.inner.crash(name); }
  kill(name: string) { return this.inner.kill(name); }
  restart(name: string) { return this.inner.restart(name); }
  pause(name: string) { return this.inner.pause(name); }
  resume(name: string) { return this.inner.resume(name); }
  partition(groups: string[][]) { return this.inner.partition(groups); }
  degrade(...a: Parameters<RunningPlatform['degrade']>) { return this.inner.degrade(...a); }
  heal() { return this.inner.heal(); }
  fullRestart(...a: Parameters<RunningPlatform['fullRestart']>) { return this.inner.fullRestart(...a); }
  redis(...a: Parameters<RunningPlatform['redis']>) { return this.inner.redis(...a); }
  redisCli(...a: Parameters<RunningPlatform['redisCli']>) { return this.inner.redisCli(...a); }
  logs(...a: Parameters<RunningPlatform['logs']>) { return this.inner.logs(...a); }
  deployApp(...a: Parameters<RunningPlatform['deployApp']>) { return this.inner.deployApp(...a); }
  appLogs(...a: Parameters<RunningPlatform['appLogs']>) { return this.inner.appLogs(...a); }
  nodes() { return this.inner.nodes(); }
  crashNode(node: string) { return this.inner.crashNode(node); }
  restoreNode(node: string) { return this.inner.restoreNode(node); }
  cordon(node: string) { return this.inner.cordon(node); }
  uncordon(node: string) { return this.inner.uncordon(node); }
  evict(pod: string) { return this.inner.evict(pod); }
  fillDisk(...a: Parameters<RunningPlatform['fillDisk']>) { return this.inner.fillDisk(...a); }
  freeDisk(pod: string) { return this.inner.freeDisk(pod); }

  /** Stops a node's container (docker stop): every pod on it goes with it, as in a node failure. */
  async stopNode(node: string): Promise<void> {
    await this.assertNode(node);
    await run(docker.stop(node), 60_000);
  }
  async startNode(node: string): Promise<void> {
    await this.assertNode(node);
    await run(docker.start(node), 60_000);
  }

  down(): Promise<void> {
    this.downPromise ??= this.teardown.runOrThrow('kind');
    return this.downPromise;
  }

  private async assertNode(node: string): Promise<void> {
    // Only a node of this run's own cluster: never a container the harness did not create.
    const nodes = (await run(kind.nodes(this.runId), 30_000)).split('\n').map((s) => s.trim()).filter(Boolean);
    if (!nodes.includes(node)) throw new HarnessError(`${node} is not a node of ${clusterName(this.runId)} (nodes: ${nodes.join(', ')})`);
  }
}
