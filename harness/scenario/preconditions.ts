import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keySlot, type Topology } from '../cluster/index.ts';
import { errorMessage, HarnessError, InterruptedError } from '../errors.ts';
import type { SystemUnderTest } from '../manifests/index.ts';
import { ensureHealthy } from '../session/health.ts';
import { emptyMetrics, type ScenarioResult } from './result.ts';
import type { ScenarioEnv } from './context.ts';
import { writeLogs } from './artifacts.ts';

/**
 * result.json for a scenario that failed before its load started: status error, with the reason;
 * and, when it had a cluster, the pods' and the app's logs, which say why (an app that could not
 * reach Redis, a node that would not join).
 */
export async function recordStartFailure(env: Pick<ScenarioEnv, 'runDir' | 'seed' | 'signal'> & { platform?: ScenarioEnv['platform'] }, name: string, error: unknown): Promise<void> {
  const dir = path.join(env.runDir, 'scenarios', name);
  await mkdir(dir, { recursive: true });
  const result: ScenarioResult = {
    name, status: env.signal?.aborted || error instanceof InterruptedError ? 'interrupted' : 'error', startedAt: new Date().toISOString(), durationMs: 0, seed: env.seed, schedule: [], faults: [], checks: [],
    metrics: emptyMetrics(), error: errorMessage(error),
  };
  await writeFile(path.join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (env.platform && result.status === 'error') await writeLogs(env.platform, dir).catch(() => undefined);
}

/** The app's counter key: COUNTER_KEY in its Deployment, else the app's default. */
export function counterKeyOf(system: SystemUnderTest): string {
  return system.app?.container.env.find((e) => e.name === 'COUNTER_KEY')?.value || 'hits';
}

/** The slot of the app's counter key. */
export function counterSlotOf(system: SystemUnderTest): number {
  return keySlot(counterKeyOf(system));
}

/**
 * Every node must serve, by its own view, before a scenario's load starts; a pod a previous
 * scenario left held is restarted first. The nodes' agreement is the first fault's to wait for
 * (ScenarioRun.warmup).
 */
export async function healthyOrHealed(env: ScenarioEnv, log: (m: string) => void): Promise<Topology> {
  const own = { agreement: false };
  try {
    return await ensureHealthy(env.platform, env.system, env.nodeTimeoutMs, env.signal, own);
  } catch (first) {
    if (env.signal?.aborted) throw first;
    const held = (await env.platform.pods()).filter((p) => p.held);
    if (held.length === 0) throw new HarnessError(`the cluster is not healthy, so the scenario cannot run: ${errorMessage(first)}`);
    for (const pod of held) {
      log(`healing: restarting ${pod.name}, left held down`);
      await env.platform.restart(pod.name);
    }
    try {
      return await ensureHealthy(env.platform, env.system, env.nodeTimeoutMs, env.signal, own);
    } catch (second) {
      throw new HarnessError(`the cluster did not heal, so the scenario cannot run: ${errorMessage(second)}`);
    }
  }
}
