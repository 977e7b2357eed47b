import type { SystemUnderTest } from '../../manifests/index.ts';
import { overrideArgs, runOverrides, type RedisOverride } from '../../manifests/index.ts';
import type { Container, PodTemplate, Source } from '../../manifests/types.ts';
import { RUN_MARKER_ENV } from '../../util/run-id.ts';
import type { LoopbackAllocator } from './addresses.ts';
import { KUBELET_BACKOFF, type Backoff } from './container.ts';
import type { LocalPod, PodContext } from './pod.ts';
import { probeReady, type ProbeTarget } from './readiness.ts';
import type { LivenessSubject } from './liveness.ts';
import { redisPodArgs } from './redis-binary.ts';
import type { RunDir } from './run-dir.ts';
import type { RunCgroups } from './cgroups.ts';
import type { PodNetwork } from './sandbox/network.ts';
import type { ClaimVolumes } from './volumes.ts';
import { execArgv } from './sandbox/sandbox.ts';
import { translatePaths } from './translate.ts';

/** What a run's pods share: the platform's settings and, in namespaces mode, its network. */
export interface RunSetup {
  system: SystemUnderTest;
  runId: string;
  runDir: RunDir;
  allocator: LoopbackAllocator;
  network: PodNetwork | null;
  nodeTimeoutOverrideMs: number | null;
  redisConfig: RedisOverride[];
  backoff: Backoff | undefined;
  writeHosts(): Promise<void>;
  /** Set when the manifests ask for memory or CPU limits (see cgroups.ts). */
  cgroups?: RunCgroups;
  /** The run's PersistentVolumeClaims (volumes.ts); unset, each claim is a plain folder. */
  volumes?: ClaimVolumes;
}

/**
 * How one workload's pods are made on this run: their template and volumes, and what the platform
 * adds to a container once it has its IP. `app` marks the app's pods: in process mode the app
 * listens on 127.0.0.1 at that free port, in namespaces mode on its own pod IP at that containerPort;
 * its image is the run's bundle of the hit counter.
 */
export function podContext(run: RunSetup, template: PodTemplate, source: Source, claimTemplates: string[], ports: number[], app?: { port: number; bundle: string }): PodContext {
  const appPort = app?.port;
  const { redis, configMaps } = run.system;
  const overrides = runOverrides(run.nodeTimeoutOverrideMs, run.redisConfig);
  const { network, runDir } = run;
  return {
    runDir, template, source, configMaps, claimTemplates,
    backoff: run.backoff ?? KUBELET_BACKOFF,
    baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', [RUN_MARKER_ENV]: run.runId },
    allocateIp: () => run.allocator.allocate(ports),
    beforeStart: () => run.writeHosts(),
    ...(run.cgroups ? { cgroups: run.cgroups } : {}),
    ...(run.volumes ? { claim: (name: string, pod: string) => run.volumes!.ensure(name, pod) } : {}),
    ...(network ? { sandbox: { network, dnsDir: runDir.dnsDir, hostsFile: (pod: string) => runDir.podHostsFile(pod) } } : {}),
    ...(app ? { appBundle: app.bundle } : {}),
    adapt: (_container: Container, ip: string, argv: string[]): { argv: string[]; env: Record<string, string> } => {
      if (network) {
        // A real pod: its own address and port; the app's Service names resolve through /etc/hosts.
        return appPort !== undefined ? { argv, env: { REDIS_CHAOS_HOSTS_FILE: '/etc/hosts' } } : { argv: [...argv, ...overrideArgs(overrides)], env: {} };
      }
      if (appPort !== undefined) {
        // The app listens on 127.0.0.1 at a free port; Service names resolve through the hosts file.
        return { argv, env: { PORT: String(appPort), HOST: '127.0.0.1', REDIS_CHAOS_HOSTS_FILE: runDir.hostsFile } };
      }
      return { argv: [...argv, ...redisPodArgs(ip, redis.clientPort, overrides)], env: {} };
    },
  };
}

/** A pod is ready when it runs and its container's readiness probe passes (see readiness.ts). */
export async function isPodReady(run: RunSetup, pod: LocalPod, app: { port: number } | undefined): Promise<boolean> {
  const main = pod.containers[0];
  if (pod.phase !== 'Running' || !pod.ip || main?.state !== 'running') return false;
  const spec = (app ? run.system.app!.container : run.system.redis.container).readinessProbe;
  return probeReady(spec, { ...probeTarget(run, pod, app)!, cache: { get: () => main.probeCache, set: (r) => void (main.probeCache = r) } }, app?.port ?? run.system.redis.clientPort);
}

/** Where a probe of this pod's main container reaches it, or null while it has no IP or process. */
export function probeTarget(run: RunSetup, pod: LocalPod, app: { port: number } | undefined): ProbeTarget | null {
  const main = pod.containers[0];
  if (!pod.ip || !main) return null;
  const clientPort = run.system.redis.clientPort;
  const pid = main.pid;
  return {
    host: app && !run.network ? '127.0.0.1' : pod.ip,
    // Process mode: every probe port maps to where the container listens; a pod's ports are its own.
    port: (port) => (run.network && typeof port === 'number' ? port : (app?.port ?? clientPort)),
    env: main.spec.env,
    cwd: main.spec.cwd,
    // Namespaces mode: exec probes run inside the container, as the kubelet runs them.
    // Process mode: on the host, with the mount paths rewritten as in the container's own argv.
    wrapExec: pod.iface && pid ? (argv) => execArgv(pid, argv) : (argv) => argv.map((a) => translatePaths(a, pod.mounts)),
  };
}

/** Every container with a liveness probe, for LivenessProbes. */
export function livenessSubjects(run: RunSetup, redisPods: LocalPod[], appPods: { pod: LocalPod; port: number }[]): LivenessSubject[] {
  const out: LivenessSubject[] = [];
  const add = (pod: LocalPod, app: { port: number } | undefined) => {
    const main = pod.containers[0];
    const probe = (app ? run.system.app?.container : run.system.redis.container)?.livenessProbe;
    if (main && probe) out.push({ container: main, probe, target: () => probeTarget(run, pod, app), defaultPort: app?.port ?? run.system.redis.clientPort });
  };
  for (const pod of redisPods) add(pod, undefined);
  for (const a of appPods) add(a.pod, a);
  return out;
}
