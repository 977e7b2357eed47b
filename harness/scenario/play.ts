import { HarnessError } from '../errors.ts';
import { describePlan, type Plan, type PlanStep, type PlanTarget } from '../explore/plan.ts';
import { sleep } from '../util/wait.ts';
import type { FaultInjector } from '../faults/injector.ts';

/** What a schedule needs of a running scenario (ScenarioRun is one; run.ts imports this file). */
export interface PlanStage {
  readonly faults: FaultInjector;
  masterOfCounter(): Promise<string>;
  masters(): Promise<string[]>;
  replicaOf(master: string): Promise<string>;
  nodeOf(pod: string): Promise<{ name: string }>;
}

/**
 * Plays a fault schedule on a running scenario: every step at its time, each held and undone on
 * its own, steps overlapping as the schedule says. The roles are resolved once, before the first
 * step, so that a replay hits the same roles whatever the seed placed where. A step that fails
 * does not stop the others from undoing their faults; the first error is rethrown after all end.
 */
export async function playPlan(run: PlanStage, plan: Plan, log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const targets = await resolveTargets(run);
  log(`schedule: ${describePlan(plan)} (${Object.entries(targets).map(([role, pod]) => `${role} ${pod}`).join(', ')})`);
  const startedAt = Date.now();
  const results = await Promise.allSettled(plan.steps.map(async (step) => {
    await sleep(Math.max(0, step.atMs - (Date.now() - startedAt)), signal);
    await playStep(run, step, targets[step.target], signal);
  }));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function resolveTargets(run: PlanStage): Promise<Record<PlanTarget, string>> {
  const counterMaster = await run.masterOfCounter();
  const otherMaster = (await run.masters()).find((m) => m !== counterMaster);
  if (!otherMaster) throw new HarnessError('the schedule needs a second shard, and the cluster has one master');
  return {
    'counter-master': counterMaster,
    'counter-replica': await run.replicaOf(counterMaster),
    'other-master': otherMaster,
    'other-replica': await run.replicaOf(otherMaster),
  };
}

async function playStep(run: PlanStage, step: PlanStep, pod: string, signal?: AbortSignal): Promise<void> {
  const hold = () => sleep(step.holdMs, signal);
  const f = run.faults;
  switch (step.fault) {
    case 'kill':
      await f.kill(pod);
      await hold().finally(() => f.restart(pod));
      return;
    case 'pause':
      await f.pause(pod);
      await hold().finally(() => f.resume(pod));
      return;
    case 'partition':
    case 'delay':
      await (step.fault === 'partition' ? f.isolate(pod) : f.delay(pod, 200, 50));
      await hold().finally(() => f.heal());
      return;
    case 'node-crash': {
      const node = (await run.nodeOf(pod)).name;
      await f.crashNode(node);
      await hold().finally(() => f.restoreNode(node));
      return;
    }
    case 'crash':
      return f.crash(pod);
    case 'delete':
      return f.deletePod(pod);
    case 'full-restart':
      return f.fullRestart();
    default: {
      // Exhaustive: a new fault kind must be played here before a schedule may name it.
      const unknown: never = step.fault;
      throw new HarnessError(`cannot play ${String(unknown)}`);
    }
  }
}
