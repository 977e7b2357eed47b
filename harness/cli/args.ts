import os from 'node:os';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HarnessError } from '../errors.ts';
import type { PlatformKind } from '../platform/types.ts';
import { parseRedisOverride, podsOf, SEED_SHAPE } from '../manifests/index.ts';
import { selectScenarios } from '../scenario/catalog.ts';
import { isolationOf, keysOf, splitOverrides, workloadOf, type HarnessOptions } from '../session/options.ts';
import { newRunId, RUN_ID_PATTERN } from '../util/run-id.ts';
import { readPlan } from '../explore/plan.ts';

export const PLATFORMS: PlatformKind[] = ['local', 'kind', 'kubernetes'];

const OPTIONS = {
  platform: { type: 'string' },
  manifests: { type: 'string' },
  statefulset: { type: 'string' },
  scenario: { type: 'string', multiple: true },
  seed: { type: 'string' },
  'node-timeout': { type: 'string' },
  'redis-config': { type: 'string', multiple: true },
  'report-dir': { type: 'string' },
  parallel: { type: 'string' },
  rate: { type: 'string' },
  workload: { type: 'string' },
  'wait-replicas': { type: 'string' },
  keys: { type: 'string' },
  'replicas-per-master': { type: 'string' },
  keep: { type: 'boolean' },
  isolation: { type: 'string' },
  nodes: { type: 'string' },
  zones: { type: 'string' },
  context: { type: 'string' },
  'allow-context': { type: 'string' },
  sweep: { type: 'boolean' },
  schedule: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Text naming the clone's npm scripts, as the command that started this process names them: under
 * the package's `redis-chaos` command (REDIS_CHAOS_COMMAND), `npm run gate --` reads `redis-chaos gate`.
 */
export function asCommand(text: string, env: NodeJS.ProcessEnv = process.env): string {
  const command = env.REDIS_CHAOS_COMMAND;
  return command ? text.replace(/npm run (scenarios|gate|advise|check|report)(?: --)?/g, `${command} $1`) : text;
}

export const USAGE = `usage: npm run scenarios -- [--platform local|kind|kubernetes] [--manifests DIR] [--statefulset NAME] [--scenario NAME ...]
                          [--seed N] [--node-timeout MS] [--redis-config KEY=VALUE ...] [--parallel N] [--rate OPS]
                          [--workload counter|append|both] [--keys N] [--replicas-per-master N]
                          [--wait-replicas N]
                          [--report-dir DIR] [--keep] [--isolation namespaces|processes] [--nodes N] [--zones N]
                          [--context NAME] [--allow-context NAME] [--sweep] [--schedule FILE]
env twins: HARNESS_PLATFORM HARNESS_MANIFESTS HARNESS_STATEFULSET HARNESS_SEED HARNESS_NODE_TIMEOUT HARNESS_REDIS_CONFIG (comma-separated) HARNESS_PARALLEL HARNESS_RATE HARNESS_WORKLOAD HARNESS_KEYS HARNESS_REPLICAS_PER_MASTER HARNESS_WAIT_REPLICAS HARNESS_REPORT_DIR HARNESS_ISOLATION HARNESS_NODES HARNESS_ZONES HARNESS_SCHEDULE HARNESS_RUN_ID`;

export interface ParsedArgs {
  options: HarnessOptions;
  /** The scenarios given by their exact name, not by a glob or `all`: the user asked for each. */
  named: string[];
  help: boolean;
  sweep: boolean;
  /** Which of the two machine-dependent defaults were not chosen by a flag or its twin: preflight refits them to the shape. */
  defaulted: { parallel: boolean; rate: boolean };
}

/**
 * Flags first, then their HARNESS_* twins, then defaults. Every mistake is a HarnessError whose
 * one line names the flag and what is valid.
 */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv, known: string[]): ParsedArgs {
  const { values } = parseFlags(argv, OPTIONS, `valid flags: ${Object.keys(OPTIONS).map((k) => `--${k}`).join(' ')}`);
  const platform = (values.platform ?? env.HARNESS_PLATFORM ?? 'local') as PlatformKind;
  if (!PLATFORMS.includes(platform)) throw new HarnessError(`--platform ${platform}: unknown platform; valid: ${PLATFORMS.join(', ')}`);
  // A schedule is what random-schedule plays: given alone, it selects that scenario.
  const schedule = values.schedule ?? env.HARNESS_SCHEDULE ?? null;
  if (schedule) readPlan(schedule);
  const { selected, unmatched } = selectScenarios(values.scenario ?? (schedule ? ['random-schedule'] : []), known);
  if (unmatched !== null) throw new HarnessError(`--scenario ${unmatched}: unknown scenario; valid: ${known.join(', ')}, a glob of them, or all`);
  const { redisConfig, nodeTimeoutMs } = redisSettings(values['redis-config'], env.HARNESS_REDIS_CONFIG, values['node-timeout'] ?? env.HARNESS_NODE_TIMEOUT);
  const givenParallel = integer('--parallel', values.parallel ?? env.HARNESS_PARALLEL, 1);
  const parallel = givenParallel ?? defaultParallel(platform, selected.length);
  const givenRate = integer('--rate', values.rate ?? env.HARNESS_RATE, 0);
  if (platform !== 'local' && (values.isolation ?? env.HARNESS_ISOLATION)) throw new HarnessError(`--isolation: applies to --platform local only (on ${platform}, pods are real pods)`);
  // Unset: as many nodes as the manifests need (platform/nodes-needed.ts), one zone each; a --zones
  // beyond that count is refused when the platform starts, once the manifests are read.
  const nodes = integer('--nodes', values.nodes ?? env.HARNESS_NODES, 1);
  const zones = integer('--zones', values.zones ?? env.HARNESS_ZONES, 1);
  if (nodes !== null && zones !== null && zones > nodes) throw new HarnessError(`--zones ${zones}: at most one zone per node (--nodes ${nodes})`);
  if (platform !== 'local' && (values.nodes ?? values.zones)) throw new HarnessError(`--${values.nodes ? 'nodes' : 'zones'}: applies to --platform local only (on ${platform}, the nodes are the cluster's own)`);
  if (platform === 'kind' && parallel > 1) throw new HarnessError(`--parallel ${parallel}: the kind platform runs one cluster per run; use --parallel 1`);
  return {
    help: values.help ?? false,
    sweep: values.sweep ?? false,
    named: (values.scenario ?? []).filter((p) => known.includes(p)),
    defaulted: { parallel: givenParallel === null, rate: givenRate === null },
    options: {
      platform,
      manifests: path.resolve(values.manifests ?? env.HARNESS_MANIFESTS ?? 'manifests'),
      statefulSet: values.statefulset || env.HARNESS_STATEFULSET || null,
      scenarios: selected,
      seed: integer('--seed', values.seed ?? env.HARNESS_SEED, 0) ?? Math.floor(Math.random() * 2 ** 31),
      nodeTimeoutMs,
      redisConfig,
      reportDir: path.resolve(values['report-dir'] ?? env.HARNESS_REPORT_DIR ?? 'reports'),
      parallel: Math.min(parallel, Math.max(1, selected.length)),
      // 0 means uncapped; in parallel the default cap keeps scenarios from starving each other.
      rate: rateOf(givenRate, parallel),
      workload: workloadOf(values.workload ?? env.HARNESS_WORKLOAD, values.workload === undefined ? 'HARNESS_WORKLOAD' : '--workload'),
      waitReplicas: integer('--wait-replicas', values['wait-replicas'] ?? env.HARNESS_WAIT_REPLICAS, 1),
      keys: keysOf(values.keys ?? env.HARNESS_KEYS, values.keys === undefined ? 'HARNESS_KEYS' : '--keys'),
      replicasPerMaster: integer('--replicas-per-master', values['replicas-per-master'] ?? env.HARNESS_REPLICAS_PER_MASTER, 1),
      keep: values.keep ?? false,
      isolation: isolationOf(values.isolation ?? env.HARNESS_ISOLATION, '--isolation'),
      nodes,
      zones,
      runId: runIdOf(env.HARNESS_RUN_ID),
      schedule: schedule ? path.resolve(schedule) : null,
      context: values.context ?? env.HARNESS_CONTEXT ?? null,
      allowContext: values['allow-context'] ?? env.HARNESS_ALLOW_CONTEXT ?? null,
    },
  };
}

/**
 * node's parseArgs, strict, for every command: a mistake is one HarnessError line, node's first
 * line without its advice, then `hint` (the valid flags, or where the help is). Positional
 * arguments are refused unless the command takes them.
 */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, hint: string, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    // A value that starts with a dash (--rate -5) is taken for a flag: node calls the flag's
    // argument ambiguous, and the flag is a valid one, so the list of flags would mislead.
    const ambiguous = error instanceof Error ? /^Option '(--[\w-]+)' argument is ambiguous/.exec(error.message) : null;
    if (ambiguous) {
      const flag = ambiguous[1]!;
      const value = argv[argv.indexOf(flag) + 1] ?? '';
      throw new HarnessError(value.startsWith('--') ? `${flag}: no value given (${value} came next)` : `${flag} ${value}: a value that starts with a dash is written ${flag}=${value}`);
    }
    const message = error instanceof Error ? error.message.split('\n')[0]!.replace(/\. To specify.*$/, '') : String(error);
    throw new HarnessError(`${message}; ${hint}`);
  }
}

/**
 * HARNESS_RUN_ID names the run (npm run explore gives each of its runs one it made); else a fresh
 * id. It must have the shape of one, because the sweeper finds a run's leftovers by that shape.
 */
function runIdOf(given: string | undefined): string {
  if (!given) return newRunId();
  if (!RUN_ID_PATTERN.test(given)) throw new HarnessError(`HARNESS_RUN_ID ${given}: expected a run id such as ${newRunId()}`);
  return given;
}

/** `30m`, `90s`, `1h`, or seconds. */
export function durationMs(text: string, flag = '--budget'): number {
  const m = /^(\d+)(s|m|h)?$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new HarnessError(`${flag} ${text}: expected a duration such as 90s, 30m or 1h`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

/** A flag's integer value, at least `min`; null when the flag and its twin are unset. */
export function integer(flag: string, raw: string | undefined, min: number): number | null {
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new HarnessError(`${flag} ${raw}: expected an integer ≥ ${min}`);
  return n;
}

/**
 * --redis-config entries (or their env twin), with cluster-node-timeout folded into the node
 * timeout: `--redis-config cluster-node-timeout=3000` is `--node-timeout 3000`, and the two must agree.
 */
function redisSettings(flags: string[] | undefined, env: string | undefined, nodeTimeout: string | undefined) {
  const source = flags ? '--redis-config' : 'HARNESS_REDIS_CONFIG';
  const all = (flags ?? splitOverrides(env)).map((t) => parseRedisOverride(t, source));
  let nodeTimeoutMs = integer('--node-timeout', nodeTimeout, 1);
  for (const o of all.filter((x) => x.key === 'cluster-node-timeout')) {
    const ms = Number(o.value);
    if (!Number.isSafeInteger(ms) || ms < 1) throw new HarnessError(`${source} cluster-node-timeout=${o.value}: expected an integer ≥ 1`);
    if (nodeTimeoutMs !== null && nodeTimeout !== undefined && ms !== nodeTimeoutMs) throw new HarnessError(`${source} cluster-node-timeout=${o.value} contradicts --node-timeout ${nodeTimeout}`);
    nodeTimeoutMs = ms;
  }
  return { redisConfig: all.filter((x) => x.key !== 'cluster-node-timeout'), nodeTimeoutMs };
}

/**
 * The local platform runs every selected scenario at once, each on its own cluster, up to as many
 * Redis pods as 3 of the seed's clusters (6 pods each) per core: measured on 2 cores, five seed
 * scenarios in parallel keep failover times and p99 within the serial run's range (docs/benchmarks.md,
 * bench:suite). A larger shape gets fewer at once (6 × 1, 12 pods: 3 on 2 cores); six 6 × 1
 * clusters at once starved Redis's own failover past its deadline (docs/shapes.md). A real cluster
 * is shared infrastructure: one at a time.
 */
export function defaultParallel(platform: PlatformKind, scenarios: number, podsPerCluster = podsOf(SEED_SHAPE), cores = os.availableParallelism()): number {
  if (platform !== 'local') return 1;
  const clusters = Math.floor((PODS_PER_CORE * cores) / Math.max(1, podsPerCluster));
  return Math.max(1, Math.min(scenarios, clusters));
}

/** Redis pods the local platform runs at once per core by default: 3 of the seed's 6-pod clusters. */
const PODS_PER_CORE = 3 * podsOf(SEED_SHAPE);

/**
 * For preflight, once the manifests' shape is known: the default --parallel (and the --rate cap
 * that follows from it) refitted to the shape's pods. Flags the user gave are left alone.
 */
export function fitParallelToShape(options: HarnessOptions, pods: number, defaulted: ParsedArgs['defaulted'], cores = os.availableParallelism()): string | null {
  if (!defaulted.parallel || options.platform !== 'local') return null;
  const fitted = defaultParallel(options.platform, options.scenarios.length, pods, cores);
  if (fitted >= options.parallel) return null;
  options.parallel = fitted;
  if (defaulted.rate) options.rate = rateOf(null, fitted);
  return `${fitted} ${fitted === 1 ? 'scenario' : 'scenarios'} at a time: each cluster has ${pods} pods, and ${cores} ${cores === 1 ? 'core carries' : 'cores carry'} about ${PODS_PER_CORE * cores} at once (--parallel N to choose)`;
}

/** Operations per second each scenario's workload may send when scenarios share the machine. */
export const PARALLEL_RATE_PER_SCENARIO = 300;
const rateOf = (given: number | null, parallel: number) => (given === null ? (parallel > 1 ? PARALLEL_RATE_PER_SCENARIO : null) : given === 0 ? null : given);
