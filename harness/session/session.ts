import { BOOTSTRAP_ANNOTATION, createCluster, describeHastened, SPREAD_REPLICAS, spreadReplicas, waitForClusterReady, type Topology } from '../cluster/index.ts';
import { loadSystem, type SystemUnderTest } from '../manifests/index.ts';
import { createPlatform, type SessionScope } from './create-platform.ts';
import { appEnvOf } from './options.ts';
import { setAppEnv } from '../manifests/app-env.ts';
import type { AppEndpoint, RunningPlatform } from '../platform/types.ts';
import { waitUntil, NotYet } from '../util/wait.ts';
import type { HarnessOptions } from './options.ts';
import { readyTimeoutMs } from './health.ts';

export interface Session {
  options: HarnessOptions;
  system: SystemUnderTest;
  platform: RunningPlatform;
  app: AppEndpoint;
  /** cluster-node-timeout in force: the override if given, else the manifests'. */
  nodeTimeoutMs: number;
  /** bootstrapMs = clusterCreateMs (redis-cli --cluster create) + replicaSyncMs (until every readiness condition holds). */
  timings: { platformUpMs: number; bootstrapMs: number; clusterCreateMs: number; replicaSyncMs: number; appUpMs: number };
  topology: Topology;
  down(): Promise<void>;
}

export interface SessionStart {
  /** Aborts the start (Ctrl-C, the run ending): what was started is taken down. */
  signal?: AbortSignal;
  /** A scenario's own cluster (--parallel): its run id and artifacts folder; else the run's. */
  scope?: SessionScope;
  /** Called once the platform's pods are up, before the bootstrap (the CLI then starts vitest). */
  onPlatformUp?: () => void;
}

/**
 * The walkthrough's setup, once per run: apply the manifests (platform up), bootstrap the cluster
 * and wait for it to be ready, then deploy the hit counter and wait until it serves a count.
 * A failure anywhere takes down what was started and rethrows the first error.
 */
export async function startSession(options: HarnessOptions, log: (line: string) => void, { signal, scope, onPlatformUp }: SessionStart = {}): Promise<Session> {
  const system = await loadSystem(options.manifests, options);
  setAppEnv(system, appEnvOf(options));
  const nodeTimeoutMs = options.nodeTimeoutMs ?? system.redis.nodeTimeoutMs;
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = Math.round(now - t);
    t = now;
    return ms;
  };
  log(`platform ${options.platform}: applying ${options.manifests}`);
  const platform = await (await createPlatform(options, system, log, scope)).up(signal ? { signal } : {});
  try {
    const platformUpMs = lap();
    log(`platform up: ${system.redis.statefulSet.replicas} pods ready in ${platformUpMs} ms; bootstrapping the cluster`);
    onPlatformUp?.();
    const created = await createCluster(platform, system.shape, signal ? { signal } : {});
    const clusterCreateMs = lap();
    // The hit counter starts as soon as `--cluster create` has returned (the walkthrough's order:
    // the app comes after the cluster exists), beside the wait for the replicas' first sync. The
    // nodes' agreement on each other's roles (gossip: up to half a node timeout more) is left to
    // each scenario's warm-up, which its first fault waits for (cluster/readiness.ts).
    // The first failure aborts the other wait and is rethrown.
    const phase = new AbortController();
    const phaseSignal = signal ? AbortSignal.any([signal, phase.signal]) : phase.signal;
    const failure: { error?: unknown } = {};
    const first = <T>(p: Promise<T>) => p.catch((error: unknown) => {
      if (!('error' in failure)) {
        failure.error = error;
        phase.abort(error);
      }
      throw error;
    });
    const ready = first(readyCluster(platform, system, nodeTimeoutMs, phaseSignal, log).then(async (r) => {
      await created.restore({ signal: phaseSignal });
      return r;
    }));
    const serving = first(serveApp(platform, phaseSignal));
    await Promise.allSettled([ready, serving]);
    if ('error' in failure) throw failure.error;
    const { topology, readyAt } = await ready;
    const { app, servingAt } = await serving;
    const replicaSyncMs = Math.round(readyAt - t);
    const bootstrapMs = clusterCreateMs + replicaSyncMs;
    const hastened = describeHastened(created.settings);
    log(`cluster ready in ${bootstrapMs} ms (--cluster create ${clusterCreateMs} ms, replicas' first sync ${replicaSyncMs} ms${hastened ? `; ${hastened}` : ''})`);
    // What the app added beyond the cluster's readiness (0 when it was serving first), and its own time.
    const appUpMs = Math.max(0, Math.round(servingAt - readyAt));
    log(`hit counter serving at ${app.url} (${Math.round(servingAt - t)} ms from its start, beside the first sync; ${appUpMs} ms after the cluster was ready)`);
    return { options, system, platform, app, nodeTimeoutMs, timings: { platformUpMs, bootstrapMs, clusterCreateMs, replicaSyncMs, appUpMs }, topology, down: () => platform.down() };
  } catch (error) {
    await platform.down().catch(() => undefined);
    throw error;
  }
}

/**
 * After `--cluster create`, every node serving by its own view (first sync done), and the
 * manifests' own bootstrap step where they name one.
 */
async function readyCluster(platform: RunningPlatform, system: SystemUnderTest, nodeTimeoutMs: number, signal: AbortSignal, log: (line: string) => void): Promise<{ topology: Topology; readyAt: number }> {
  let topology = await waitForClusterReady(platform, system.shape, { timeoutMs: readyTimeoutMs(nodeTimeoutMs), signal, agreement: false });
  if (system.redis.statefulSet.annotations[BOOTSTRAP_ANNOTATION] === SPREAD_REPLICAS) {
    // The manifests' own bootstrap step (examples/hardened): no replica on its master's node.
    const spread = await spreadReplicas(platform, system.shape, { readyTimeoutMs: readyTimeoutMs(nodeTimeoutMs), signal });
    log(`${BOOTSTRAP_ANNOTATION}: ${SPREAD_REPLICAS}: ${spread.note}`);
    if (spread.moved.length) topology = await waitForClusterReady(platform, system.shape, { timeoutMs: readyTimeoutMs(nodeTimeoutMs), signal });
  }
  return { topology, readyAt: performance.now() };
}

/** The hit counter deployed, and serving a count. */
async function serveApp(platform: RunningPlatform, signal: AbortSignal): Promise<{ app: AppEndpoint; servingAt: number }> {
  const app = await platform.deployApp({ signal });
  await waitUntil('hit counter serving', async (s) => {
    const r = await fetch(`${app.url}/count`, { signal: AbortSignal.any([s, AbortSignal.timeout(1000)]) }).catch((e: unknown) => e as Error);
    if (r instanceof Error || r.status !== 200) throw new NotYet(r instanceof Error ? r.message : `GET /count: ${r.status}`);
    await r.body?.cancel();
  }, { timeoutMs: 30_000, intervalMs: 100, signal });
  return { app, servingAt: performance.now() };
}
