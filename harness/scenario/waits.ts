import { faultEffectMs, promotionDeadlineMs, SERVING_AGAIN_MS } from '../checkers/index.ts';
import { masterOfSlot, snapshot, waitForClusterReady } from '../cluster/index.ts';
import { HarnessError, WaitTimeoutError, errorMessage } from '../errors.ts';
import type { FaultInjector } from '../faults/injector.ts';
import { readyTimeoutMs, recoveryTimeoutMs } from '../session/health.ts';
import { NotYet, waitUntil } from '../util/wait.ts';
import type { Clock } from '../workload/clock.ts';
import type { ScenarioEnv } from './context.ts';

/** What a scenario's waits need of it (ScenarioRun gives it; run.ts imports this file, never the reverse). */
export interface WaitingRun {
  readonly env: ScenarioEnv;
  readonly faults: FaultInjector;
  readonly clock: Clock;
  log(message: string): void;
}

/** Until the pod is Ready (its readiness probe, or Running without one), as the controller waits. */
export async function waitForPodReady(env: ScenarioEnv, name: string): Promise<void> {
  await waitUntil(`pod ${name} ready`, async () => {
    const pod = (await env.platform.pods()).find((p) => p.name === name);
    if (!pod?.ready) throw new NotYet(`${name}: ${pod?.phase ?? 'absent'}, not ready`);
  }, { timeoutMs: readyTimeoutMs(env.nodeTimeoutMs), intervalMs: 100, signal: env.signal });
}

/**
 * Waits, with the recovery deadline, until every readiness condition holds, as a node-pool
 * upgrade waits between nodes. False, with a line saying what is missing, if it never does.
 */
export async function waitForHealthy(run: WaitingRun, why: string): Promise<boolean> {
  const timeoutMs = recoveryTimeoutMs(run.env.nodeTimeoutMs);
  try {
    await waitForClusterReady(run.env.platform, run.env.system.shape, { timeoutMs, signal: run.env.signal });
    run.log(`healthy again (${why})`);
    return true;
  } catch (error) {
    throwIfInterrupted(run.env.signal);
    run.log(`not healthy within ${timeoutMs} ms (${why}): ${errorMessage(error)}`);
    return false;
  }
}

/**
 * Waits until one of `pod`'s former replicas serves its slots, or the deadline passes: the
 * scenario's expected promotionDeadlineMs, else the one derived from the node timeout.
 */
export async function waitForReplicaPromotion(run: WaitingRun, pod: string, expectedDeadlineMs: number | undefined): Promise<boolean> {
  const fault = [...run.faults.records].reverse().find((f) => f.target === pod && f.role === 'master');
  if (!fault) throw new HarnessError(`no fault on master ${pod} to wait on`);
  const deadline = expectedDeadlineMs ?? promotionDeadlineMs(run.env.nodeTimeoutMs);
  run.log(`waiting up to ${deadline} ms for a replica of ${pod} to be promoted`);
  const ticker = tickerOf(run, () => `still waiting for promotion of a replica of ${pod}`);
  try {
    const who = await waitUntil(`promotion of a replica of ${pod}`, async () => {
      // A cut-off master still claims its slots: the majority's view is what decides.
      const cut = run.faults.openNetworkFaults();
      const t = await snapshot(run.env.platform, { timeoutMs: 500 });
      const owner = masterOfSlot(cut.length ? { ...t, views: t.views.filter((v) => !cut.includes(v.pod)) } : t, fault.slots[0]![0]);
      if (!owner || !fault.replicaIds.includes(owner.nodeId)) throw new NotYet(`slot ${fault.slots[0]![0]} served by ${owner?.pod ?? 'nobody'}`);
      return owner.pod;
    }, { timeoutMs: deadline, intervalMs: 100, signal: run.env.signal });
    run.log(`${who} promoted to master (${Math.round(run.clock.nowMs() - faultEffectMs(fault))} ms after the fault took effect)`);
    return true;
  } catch (error) {
    throwIfInterrupted(run.env.signal);
    run.log(`no promotion within ${deadline} ms: ${errorMessage(error)}`);
    return false;
  } finally {
    clearInterval(ticker);
  }
}

/**
 * Waits, with a deadline derived from the node timeout, until every readiness condition holds
 * again by each node's own view: every node serves all slots, the shape's masters and replicas,
 * every replica linked and synced, each node announcing its pod's IP (what the by-hand baseline
 * waits for). The run's clock when it did (the recovery the checkers measure), or null if it never did.
 * The nodes' agreement on each other is not part of it: a peer learns that the old master is now
 * a replica only from that node's next ping, up to half a node timeout later (ScenarioRun waits
 * for it beside the settle, and config-consistent judges it on the final topology).
 */
export async function waitForRecovery(run: WaitingRun): Promise<number | null> {
  const timeoutMs = recoveryTimeoutMs(run.env.nodeTimeoutMs);
  run.log(`waiting up to ${timeoutMs} ms for recovery (every node's own view)`);
  const ticker = tickerOf(run, () => 'still recovering');
  try {
    await waitForClusterReady(run.env.platform, run.env.system.shape, { timeoutMs, signal: run.env.signal, agreement: false, selfAddress: true });
    const recoveredAtMs = run.clock.nowMs();
    run.log('recovered: cluster_state:ok everywhere, replicas linked and synced');
    return recoveredAtMs;
  } catch (error) {
    throwIfInterrupted(run.env.signal);
    run.log(`not recovered: ${errorMessage(error)}`);
    return null;
  } finally {
    clearInterval(ticker);
  }
}

/** The background wait for the nodes' agreement: when it held (the run's clock), or why it never did. */
export interface AgreementWait {
  readonly done: Promise<{ atMs: number } | { error: unknown }>;
  stop(): void;
}

/**
 * From a scenario's start, waits in the background until every readiness condition holds,
 * agreement included (cluster/readiness.ts): the load starts once every node serves, and the first
 * fault waits for this (waitForAgreement). stop() ends the wait with the run. After a recovery the
 * run starts another, with what is left of the recovery deadline.
 */
export function startAgreementWait(env: ScenarioEnv, clock: Clock, timeoutMs = readyTimeoutMs(env.nodeTimeoutMs)): AgreementWait {
  const ended = new AbortController();
  const signal = env.signal ? AbortSignal.any([env.signal, ended.signal]) : ended.signal;
  const done = waitForClusterReady(env.platform, env.system.shape, { timeoutMs, signal })
    .then(() => ({ atMs: clock.nowMs() }), (error: unknown) => ({ error }));
  return { done, stop: () => ended.abort(new Error('the scenario ended')) };
}

/**
 * Until the nodes agree (startAgreementWait); a HarnessError if they never did within the
 * readiness deadline, since a fault on a cluster still settling tests something else.
 */
export async function waitForAgreement(run: WaitingRun, wait: AgreementWait): Promise<number> {
  const outcome = await wait.done;
  if ('atMs' in outcome) return outcome.atMs;
  throwIfInterrupted(run.env.signal);
  throw new HarnessError(`the nodes did not agree on each other before the fault, so it was not injected: ${errorMessage(outcome.error)}`);
}

/**
 * Until every key the load writes has had an acknowledged write (`unwritten` names those that
 * have not), and returns when (the run's clock). The counter and append checkers judge each key
 * by its acknowledged writes: a key with none before the fault may have none at all, and is then
 * not judged. A key the load cannot write to before any fault is a harness failure, as
 * disagreement is.
 */
export async function waitForFirstWrites(run: WaitingRun, unwritten: () => string[], timeoutMs: number): Promise<number> {
  try {
    await waitUntil('an acknowledged write on every key', async () => {
      const left = unwritten();
      if (left.length) throw new NotYet(`${left.length} without one: ${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}`);
    }, { timeoutMs, intervalMs: 50, signal: run.env.signal });
  } catch (error) {
    throwIfInterrupted(run.env.signal);
    throw new HarnessError(`the load had no acknowledged write on some keys before the fault, so it was not injected: ${errorMessage(error)}`);
  }
  return run.clock.nowMs();
}

/**
 * The end of an agreement wait after a recovery: the run's clock when the nodes agreed, or null
 * (with a line; config-consistent judges the final topology) if they never did. A line says how
 * long past `fromMs` it took, when it did.
 */
export async function agreedAgain(run: WaitingRun, wait: AgreementWait, fromMs: number, what: string): Promise<number | null> {
  const outcome = await wait.done;
  if ('error' in outcome) {
    throwIfInterrupted(run.env.signal);
    run.log(`the nodes did not agree on each other again: ${errorMessage(outcome.error)}`);
    return null;
  }
  if (outcome.atMs > fromMs) run.log(`${what} ${Math.round(outcome.atMs - fromMs)} ms more, until every node agreed on every other`);
  return outcome.atMs;
}

// A sample takes up to its interval (250 ms) plus a snapshot's time: 2 s is ample.
const SAMPLE_SINCE_TIMEOUT_MS = 2000;

/**
 * Until the topology sampler has recorded the cluster as it was at `atMs` or later (once the nodes
 * agreed): checkers judge the failover from the samples, and a settle shorter than the sampling
 * interval (a benchmark's) must not end the run before one saw it. Bounded; a sampler that cannot
 * reach the nodes leaves the checkers to say what they could not observe.
 */
export async function waitForSampleSince(run: WaitingRun, sampler: { readonly samples: readonly { tMs: number }[]; sampleNow(): void }, atMs: number): Promise<void> {
  const since = () => sampler.samples.some((s) => s.tMs >= atMs);
  if (since()) return;
  // The sampler would take its next sample up to an interval (250 ms) from now: take it now.
  sampler.sampleNow();
  try {
    await waitUntil('a topology sample of the agreed cluster', async () => {
      if (!since()) throw new NotYet('no sample since the nodes agreed');
    }, { timeoutMs: SAMPLE_SINCE_TIMEOUT_MS, intervalMs: 25, signal: run.env.signal });
  } catch (error) {
    throwIfInterrupted(run.env.signal);
    run.log(`no topology sample after the nodes agreed: ${errorMessage(error)}`);
  }
}

/** A wait that ended because the run was interrupted is not a finding: it ends the scenario. */
function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}

/** A line every 5 s during long waits, so the 20-second failover is visibly alive. */
function tickerOf(run: WaitingRun, what: () => string): NodeJS.Timeout {
  const started = Date.now();
  return setInterval(() => run.log(`${what()} (${Math.round((Date.now() - started) / 1000)} s)`), 5000);
}

/**
 * After the settle: until every shard under load has had an acknowledged write since the recovery
 * (`unserved` names the shards that have not), at most SERVING_AGAIN_MS after the recovery and a
 * little more, so that an app that never serves again has been tried for the whole allowance that
 * serving-again judges. A healthy run waits nothing here: the settle is long enough. A line says
 * how long it waited beyond the settle, or that the allowance passed.
 */
export async function waitForServingAgain(run: WaitingRun, unserved: () => string[], recoveredAtMs: number): Promise<void> {
  const fromMs = run.clock.nowMs();
  const timeoutMs = Math.round(recoveredAtMs + SERVING_AGAIN_MS + 500 - fromMs);
  if (unserved().length === 0 || timeoutMs <= 0) return;
  try {
    await waitUntil('an acknowledged write on every shard since the recovery', async () => {
      const left = unserved();
      if (left.length) throw new NotYet(`none yet on ${left.join(', ')}`);
    }, { timeoutMs, intervalMs: 50, signal: run.env.signal });
    run.log(`waited ${Math.round(run.clock.nowMs() - fromMs)} ms more, until the app served every shard again`);
  } catch (error) {
    throwIfInterrupted(run.env.signal);
    if (!(error instanceof WaitTimeoutError)) throw error;
    run.log(`the app served no write on ${unserved().join(', ')} within ${SERVING_AGAIN_MS} ms of the recovery`);
  }
}

