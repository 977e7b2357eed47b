import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chooseKeys, listKeyOf, selfEntries, type ShardKey, type Topology } from '../cluster/index.ts';
import { startWorkload, type RunningWorkload } from '../workload/clients.ts';
import { Clock } from '../workload/clock.ts';
import { HistoryRecorder, type Workload } from '../workload/history.ts';
import { chooseWorkload } from '../workload/choose.ts';
import { startSampler, type RunningSampler } from '../workload/sampler.ts';
import { readCount } from '../workload/read-count.ts';
import { scenarioLine } from './progress.ts';
import { counterKeyOf, counterSlotOf, healthyOrHealed } from './preconditions.ts';
import { describeKeys, inBatches, shardIndices } from './keys.ts';
import { step } from './allure.ts';
import type { ScenarioEnv } from './context.ts';

/** What a scenario has once its load runs: what ScenarioRun is built from (run.ts imports this file). */
export interface StartedLoad {
  startedAt: number;
  /** reports/<runId>/scenarios/<name>/, its logs/ made. */
  dir: string;
  before: Topology;
  /** Every counter key with its value at the start: the default key first, then chooseKeys' choice. */
  keys: (ShardKey & { baseline: number })[];
  /** The load it drives: --workload, or the default chooseWorkload picked for the run's rate. */
  kind: Workload;
  /** The append workload's lists, one in each counter key's slot; none for the counter alone. */
  lists: ShardKey[];
  clock: Clock;
  history: HistoryRecorder;
  sampler: RunningSampler;
  workload: RunningWorkload;
}

/**
 * A scenario's start: the cluster healthy (or healed), its keys chosen and their baselines read,
 * the topology sampler and the load running. An Allure step, as each phase after it.
 */
export async function startLoad(env: ScenarioEnv, name: string, options: { clients?: number }): Promise<StartedLoad> {
  const dir = path.join(env.runDir, 'scenarios', name);
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  const startedAt = Date.now();
  const log = (m: string) => env.log(scenarioLine(startedAt, name, m));
  const before = await step('setup: cluster healthy, load running', async () => {
    log('checking the cluster is healthy');
    return await healthyOrHealed(env, log);
  });
  // Every slot range of every master under load, from the topology at the start (cluster/keys.ts).
  const { keys: shardKeys, raisedFrom } = chooseKeys(before, counterKeyOf(env.system), env.keys ?? undefined);
  if (raisedFrom !== null) log(`--keys ${raisedFrom} raised to ${shardKeys.length}: every master holds at least one key`);
  const keys = await inBatches(shardKeys, async (k, i) => ({ ...k, baseline: await readCount(env.appUrl, 10_000, i === 0 ? undefined : k.key) }));
  const clock = new Clock();
  const history = new HistoryRecorder(path.join(dir, 'history.jsonl'));
  const counterSlot = counterSlotOf(env.system);
  // The sampler records each watched slot's owner every 250 ms: a key per shard and each master's
  // first slot are what replica-promotion reads; every key's slot would cost memory for nothing.
  const shardOf = shardIndices(keys);
  const firstOfShard = keys.filter((_, i) => shardOf.indexOf(shardOf[i]!) === i);
  const watchSlots = [...new Set([...firstOfShard.map((k) => k.slot), ...selfEntries(before).filter((e) => e.self.role === 'master' && e.self.slots.length > 0).map((e) => e.self.slots[0]![0])])];
  const sampler = startSampler(env.platform, clock, { file: path.join(dir, 'topology.jsonl'), counterSlot, watchSlots });
  // Clients per shard, not per key (at least one per shard and workload): more keys spread the
  // same load over more slots, they do not add to it.
  const shardCount = new Set(shardOf).size;
  const { workload: kind, why } = chooseWorkload(env.workload, env.ratePerSec, shardCount);
  if (why) log(why);
  const lists = kind === 'counter' ? [] : keys.map((k) => ({ ...k, key: listKeyOf(k.key, startedAt.toString(36)) }));
  const clients = Math.max(options.clients ?? 4, (kind === 'both' ? 2 : 1) * shardCount);
  const workload = startWorkload(history, clock, {
    url: env.appUrl, clients, keys: keys.map((k) => k.key), shardOf, workload: kind, listKeys: lists.map((l) => l.key), ...(env.ratePerSec ? { ratePerClient: env.ratePerSec / clients } : {}),
  });
  const over = describeKeys(keys, lists, kind);
  log(`load started (${kind}): ${clients} clients${env.ratePerSec ? ` at ${env.ratePerSec} ops/s` : ''} over ${over}`);
  return { startedAt, dir, before, keys, kind, lists, clock, history, sampler, workload };
}
