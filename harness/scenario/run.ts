import { AOF_POSTPONE_MS, type CheckResult, type Expectations } from '../checkers/index.ts';
import type { ShardKey, Topology } from '../cluster/index.ts';
import { errorMessage } from '../errors.ts';
import { FaultInjector } from '../faults/injector.ts';
import { recoveryTimeoutMs } from '../session/health.ts';
import { sleep } from '../util/wait.ts';
import type { RunningWorkload } from '../workload/clients.ts';
import type { Clock } from '../workload/clock.ts';
import type { HistoryRecorder, Workload } from '../workload/history.ts';
import type { RunningSampler } from '../workload/sampler.ts';
import { scenarioLine } from './progress.ts';
import { verdictOf, type ScenarioResult } from './result.ts';
import { Schedule } from './schedule.ts';
import { counterSlotOf } from './preconditions.ts';
import { step } from './allure.ts';
import type { StatedExpectation } from './spec.ts';
import { playPlan } from './play.ts';
import { undoOpenFaults } from './undo.ts';
import { describePlan, type Plan } from '../explore/plan.ts';
import { generatePlan } from '../explore/generate.ts';
import { MemoryActions } from './memory.ts';
import { startOomWatch, type RunningOomWatch } from './oom-watch.ts';
import type { ScenarioEnv } from './context.ts';
import { startLoad } from './start-load.ts';
import { agreedAgain, startAgreementWait, waitForAgreement, waitForFirstWrites, waitForHealthy, waitForRecovery, waitForReplicaPromotion, waitForSampleSince, waitForServingAgain, type AgreementWait, type WaitingRun } from './waits.ts';
import { shardFirstKeys, unservedShards, unwrittenKeys, writtenNames, type WrittenName } from './keys.ts';
import { ClusterQueries } from './queries.ts';
import { judge, resultOf, summaryOf, writeRunArtifacts, type JudgedRun } from './judge.ts';

// Tuning knobs for benchmarks and impatient people; the defaults are the documented ones.
const SETTLE_MS = Number(process.env.HARNESS_SETTLE_MS || 3000);
const WARMUP = (process.env.HARNESS_WARMUP_MS || '1000-3000').split('-').map(Number) as [number, number];
// kubectl drain retries a refused eviction every 5 s; tests that drain many times may go faster.
const EVICTION_RETRY_MS = Number(process.env.HARNESS_EVICTION_RETRY_MS || 5000);

export interface ScenarioOptions {
  expect?: Expectations;
  /** The stated expectations (the README row) and their checks: each judged in the result. */
  promises?: readonly StatedExpectation[];
  clients?: number;
  /** How long the load runs after recovery before the verdict. */
  settleMs?: number;
}

export interface Verdict {
  result: ScenarioResult;
  checks: CheckResult[];
  passed: boolean;
  /** One line per check that did not pass, for the test's failure message. */
  summary: string;
}

/**
 * One run of one scenario: healthy cluster, load and sampling from the start, faults recorded as
 * injected, a bounded recovery, then the verdict. Each phase is an Allure step.
 */
export class ScenarioRun extends ClusterQueries {
  readonly faults: FaultInjector;
  readonly schedule: Schedule;
  /** Data, AOF rewrites and full syncs, for the memory-limit scenario. */
  readonly memory: MemoryActions;
  /** Set where the manifests give Redis a memory limit: every OOM kill, for the oom-kills checker. */
  private readonly oomWatch: RunningOomWatch | null;
  /**
   * The nodes' agreement on each other, waited for in the background: from the start (warmup()
   * ends with it), then again from each recovery (the verdict, and untilAgreed(), wait for it).
   */
  private agreement: AgreementWait;
  /** What the load writes, as the history names it: the warm-up and the verdict wait on these. */
  private readonly written: WrittenName[];
  /** Each shard's first key, once: the verdict names an unserved shard by it. */
  private readonly shardFirstKeys: string[];
  private recoveredAtMs: number | null = null;
  private finished = false;
  private error: unknown = null;
  private constructor(
    private readonly startedAt: number,
    readonly name: string,
    env: ScenarioEnv,
    private readonly options: ScenarioOptions,
    readonly dir: string,
    readonly before: Topology,
    /** Every counter key with its value at the start: the default key first, then chooseKeys' choice. */
    private readonly keys: (ShardKey & { baseline: number })[],
    /** The load it drives: --workload, or the default chooseWorkload picked for the run's rate. */
    private readonly kind: Workload,
    /** The append workload's lists, one in each counter key's slot; none for the counter alone. */
    private readonly lists: ShardKey[],
    readonly clock: Clock,
    private readonly history: HistoryRecorder,
    private readonly sampler: RunningSampler,
    private readonly workload: RunningWorkload,
  ) {
    super(env, counterSlotOf(env.system));
    this.faults = new FaultInjector(env.platform, clock, (m) => this.log(m));
    this.schedule = new Schedule(env.seed, name);
    this.memory = new MemoryActions(env, this.counterSlot, (m) => this.log(m));
    this.agreement = startAgreementWait(env, clock);
    this.written = writtenNames(kind, keys, lists);
    this.shardFirstKeys = shardFirstKeys(keys);
    this.oomWatch = env.system.redis.container.resources?.limits.memoryBytes === undefined ? null : startOomWatch(env.platform, clock, {
      ...(env.signal ? { signal: env.signal } : {}),
      onKill: (k) => this.log(`OOM kill in ${k.pod}: ${k.mainProcess ? 'redis-server itself (exit 137, OOMKilled; the restart policy brings it back)' : 'a process it forked'}`),
    });
  }

  static async start(env: ScenarioEnv, name: string, options: ScenarioOptions = {}): Promise<ScenarioRun> {
    const s = await startLoad(env, name, options);
    return new ScenarioRun(s.startedAt, name, env, options, s.dir, s.before, s.keys, s.kind, s.lists, s.clock, s.history, s.sampler, s.workload);
  }

  log(message: string): void {
    this.env.log(scenarioLine(this.startedAt, this.name, message));
  }

  /** Runs a phase as an Allure step; an error is remembered for the result and rethrown. */
  async phase<T>(name: string, body: () => Promise<T>): Promise<T> {
    try {
      return await step(name, body);
    } catch (error) {
      this.error ??= error;
      throw error;
    }
  }

  /**
   * Lets the load run for a delay drawn from the seed before the first fault, and until every node
   * agrees on every other (gossip settled after a bootstrap or an earlier scenario's recovery):
   * every scenario warms up before its first fault, so no fault lands on a cluster still settling.
   * The delay is the load's, counted from its start (the clock's zero): the scenario's own queries
   * since (which pod masters the counter, say: about 0.1 s under the new load) are part of it.
   */
  async warmup(minMs = WARMUP[0], maxMs = WARMUP[1]): Promise<void> {
    const ms = this.schedule.delay('warm-up before fault', minMs, maxMs);
    const leftMs = Math.max(0, Math.round(ms - this.clock.nowMs()));
    this.log(`load running; fault in ${leftMs} ms (${ms} ms of load before it, seed ${this.env.seed})`);
    const warmEndMs = this.clock.nowMs() + leftMs;
    const [, agreedAtMs, writtenAtMs] = await Promise.all([
      sleep(leftMs, this.env.signal),
      waitForAgreement(this.waiting, this.agreement),
      // As long as a recovery may take, and one round of the clients over their keys (--keys 4096).
      waitForFirstWrites(this.waiting, () => unwrittenKeys(this.written, this.history), recoveryTimeoutMs(this.nodeTimeoutMs) + (this.workload.roundMs ?? 0)),
    ]);
    if (agreedAtMs > warmEndMs) this.log(`the warm-up waited ${Math.round(agreedAtMs - warmEndMs)} ms more, until every node agreed on every other`);
    if (writtenAtMs > warmEndMs) this.log(`the warm-up waited ${Math.round(writtenAtMs - warmEndMs)} ms more, until every key had an acknowledged write`);
  }

  /** Past a crash's window (AOF_POSTPONE_MS), else a lost AOF and its last seconds look alike: unknown (CI79). */
  warmupPastCrashWindow(): Promise<void> { return this.warmup(AOF_POSTPONE_MS + 1500, AOF_POSTPONE_MS + 3500); }

  /** cluster-node-timeout in force: the scenario's deadlines and fault lengths derive from it. */
  get nodeTimeoutMs(): number {
    return this.env.nodeTimeoutMs;
  }

  /**
   * Drains a node as `kubectl drain` does (see FaultInjector.drain): each eviction a
   * PodDisruptionBudget refuses may wait up to the recovery deadline.
   */
  drain(node: string): ReturnType<FaultInjector['drain']> {
    return this.faults.drain(node, { timeoutMs: recoveryTimeoutMs(this.env.nodeTimeoutMs), retryMs: EVICTION_RETRY_MS, ...(this.env.signal ? { signal: this.env.signal } : {}) });
  }

  /**
   * Plays a fault schedule: the run's --schedule file, or one drawn from its --seed (the default
   * faults: kill, crash, pause, delete, up to three at once). See play.ts.
   */
  async play(plan: Plan = this.env.plan ?? generatePlan(this.env.seed, { faults: ['kill', 'crash', 'pause', 'delete'], maxSteps: 3, nodeTimeoutMs: this.env.nodeTimeoutMs })): Promise<void> {
    this.schedule.planned.push({ what: `schedule: ${describePlan(plan)}`, delayMs: 0 });
    await playPlan(this, plan, (line) => this.log(line), this.env.signal);
  }

  /** Keeps a fault in place for `ms`, saying why; Ctrl-C ends it early. */
  async hold(ms: number, why: string): Promise<void> {
    this.log(`${why}: ${ms} ms`);
    await sleep(ms, this.env.signal);
  }

  /**
   * Waits, with the recovery deadline, until every readiness condition holds, as a node-pool
   * upgrade waits between nodes. False, with a line saying what is missing, if it never does.
   */
  async healthy(why: string): Promise<boolean> {
    return waitForHealthy(this.waiting, why);
  }

  /** Waits until one of `pod`'s former replicas serves its slots, or the config-derived deadline passes. */
  async waitForPromotion(pod: string): Promise<boolean> {
    return waitForReplicaPromotion(this.waiting, pod, this.options.expect?.promotionDeadlineMs);
  }

  /**
   * Waits, with a deadline derived from the node timeout, until every node serves again by its own
   * view, replicas linked and synced (the recovery the checkers measure). The nodes' agreement on
   * each other follows by gossip, up to half a node timeout later: it is waited for in the
   * background, beside the settle, and the verdict's final topology is taken once it holds.
   */
  async recovery(): Promise<void> {
    const fromMs = this.clock.nowMs();
    const recoveredAtMs = await waitForRecovery(this.waiting);
    if (recoveredAtMs === null) return;
    this.recoveredAtMs = recoveredAtMs;
    this.agreement.stop();
    // Agreement shares the recovery's deadline: a failing run waits no longer than before the split.
    const leftMs = recoveryTimeoutMs(this.env.nodeTimeoutMs) - (recoveredAtMs - fromMs);
    this.agreement = startAgreementWait(this.env, this.clock, Math.max(1000, Math.round(leftMs)));
  }

  /**
   * Until every node agrees on every other again after the last recovery, so that the next fault
   * lands on a settled cluster as the first one did. False, with a line saying why, if they never
   * do within what was left of the recovery deadline (config-consistent then judges the final topology).
   */
  async untilAgreed(): Promise<boolean> {
    return (await agreedAgain(this.waiting, this.agreement, this.clock.nowMs(), 'waited')) !== null;
  }

  /** Settle under load, stop, read the final count, take the final topology, and judge. */
  async verdict(): Promise<Verdict> {
    const settleMs = this.options.settleMs ?? SETTLE_MS;
    this.log(`settling under load for ${settleMs} ms`);
    const settleEndMs = this.clock.nowMs() + settleMs;
    const [, agreedAtMs] = await Promise.all([sleep(settleMs, this.env.signal), agreedAgain(this.waiting, this.agreement, settleEndMs, 'settled')]);
    if (agreedAtMs !== null) await waitForSampleSince(this.waiting, this.sampler, agreedAtMs);
    const recoveredAtMs = this.recoveredAtMs;
    if (recoveredAtMs !== null) await waitForServingAgain(this.waiting, () => unservedShards(this.shardFirstKeys, this.written, this.history, recoveredAtMs), recoveredAtMs);
    await this.stopLoad();
    const checks = await judge(this.judged);
    const { status, error } = verdictOf(checks, this.faults.records);
    const result = this.result(status, checks, error);
    for (const c of checks) this.log(`${c.valid === true ? 'PASS' : c.valid === false ? 'FAIL' : 'UNKNOWN'} ${c.name}: ${c.message}`);
    this.log(`verdict: ${status}`);
    await writeRunArtifacts(this.judged, result, checks);
    return { result, checks, passed: status === 'passed', summary: summaryOf(result, checks) };
  }

  /**
   * For the fixture: a scenario that ended without a verdict. Interrupted (Ctrl-C, SIGTERM), it is
   * `interrupted`, and the checkers still judge what was recorded, marked partial. Otherwise it is
   * an error, and a pod it left held down is restarted for the next scenario.
   */
  async abort(reason: unknown): Promise<void> {
    if (this.finished) return;
    await this.stopLoad().catch(() => undefined);
    if (this.env.signal?.aborted) {
      await undoOpenFaults(this.faults, this.env.platform, (line) => this.log(line), { restartHeld: false });
      const checks = await judge(this.judged, 1000).catch(() => []);
      const result = { ...this.result('interrupted', checks, errorMessage(this.env.signal.reason)), partial: true };
      this.log(`interrupted: ${result.error}; ${this.history.ops.length} operations recorded, judged as a partial history`);
      await writeRunArtifacts(this.judged, result, checks);
      return;
    }
    await undoOpenFaults(this.faults, this.env.platform, (line) => this.log(line), { restartHeld: true });
    const message = errorMessage(this.error ?? reason);
    this.log(`error: ${message}`);
    await writeRunArtifacts(this.judged, this.result('error', [], message), []);
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** The result, judged or not: once built, the run is finished and abort() has nothing to do. */
  private result(status: ScenarioResult['status'], checks: CheckResult[], error: string | null): ScenarioResult {
    this.finished = true;
    return resultOf(this.judged, status, checks, error);
  }

  /** What the verdict reads of this run (judge.ts); recoveredAtMs as it is when read. */
  private get judged(): JudgedRun {
    const run = this;
    return {
      env: this.env, name: this.name, options: this.options, startedAt: this.startedAt, dir: this.dir, before: this.before,
      keys: this.keys, kind: this.kind, lists: this.lists, clock: this.clock, history: this.history, sampler: this.sampler, workload: this.workload,
      faults: this.faults, schedule: this.schedule, counterSlot: this.counterSlot, memory: this.memory, oomWatch: this.oomWatch,
      get recoveredAtMs() {
        return run.recoveredAtMs;
      },
      log: (m) => this.log(m),
    };
  }

  /** What the waits read of this run (waits.ts). */
  private get waiting(): WaitingRun {
    return { env: this.env, faults: this.faults, clock: this.clock, log: (m) => this.log(m) };
  }

  private async stopLoad(): Promise<void> {
    this.agreement.stop();
    await this.workload.stop();
    await this.sampler.stop();
    await this.oomWatch?.stop();
    await this.history.close();
  }
}
