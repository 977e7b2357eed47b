import { describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.ts';
import { defaultParallel, fitParallelToShape, parseCliArgs } from './args.ts';

const known = ['delete-pod-0', 'kill-master'];
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseCliArgs(argv, env, known);
const error = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(argv, env);
  } catch (e) {
    expect(e).toBeInstanceOf(HarnessError);
    return (e as HarnessError).message;
  }
  throw new Error('expected a HarnessError');
};

describe('command-line flags', () => {
  it('default to the local platform, every scenario and the repo manifests', () => {
    const { options } = parse(['--seed', '5']);
    expect(options).toMatchObject({ platform: 'local', scenarios: known, seed: 5, nodeTimeoutMs: null, keep: false });
    expect(options.manifests).toMatch(/\/manifests$/);
    expect(options.reportDir).toMatch(/\/reports$/);
  });

  it('--statefulset: unset by default (found from the manifests), a name, with its twin', () => {
    expect(parse([]).options.statefulSet).toBeNull();
    expect(parse(['--statefulset', 'cache']).options.statefulSet).toBe('cache');
    expect(parse([], { HARNESS_STATEFULSET: 'sessions' }).options.statefulSet).toBe('sessions');
    expect(parse(['--statefulset', 'cache'], { HARNESS_STATEFULSET: 'sessions' }).options.statefulSet).toBe('cache');
  });

  it('--workload: unset by default (the scenario picks both where the rate allows), counter, append or both, with its twin; nothing else', () => {
    expect(parse([]).options.workload).toBeUndefined();
    expect(parse(['--workload', 'append']).options.workload).toBe('append');
    expect(parse([], { HARNESS_WORKLOAD: 'both' }).options.workload).toBe('both');
    expect(parse(['--workload', 'counter'], { HARNESS_WORKLOAD: 'both' }).options.workload).toBe('counter');
    expect(error(['--workload', 'lists'])).toBe('--workload lists: valid: counter, append, both (the default is both where the rate allows, else counter)');
    expect(error([], { HARNESS_WORKLOAD: 'x' })).toBe('HARNESS_WORKLOAD x: valid: counter, append, both (the default is both where the rate allows, else counter)');
  });

  it('--wait-replicas: off by default, an integer ≥ 1, with its twin', () => {
    expect(parse([]).options.waitReplicas).toBeNull();
    expect(parse(['--wait-replicas', '1']).options.waitReplicas).toBe(1);
    expect(parse([], { HARNESS_WAIT_REPLICAS: '2' }).options.waitReplicas).toBe(2);
    expect(parse(['--wait-replicas', '1'], { HARNESS_WAIT_REPLICAS: '2' }).options.waitReplicas).toBe(1);
    expect(error(['--wait-replicas', '0'])).toBe('--wait-replicas 0: expected an integer ≥ 1');
    expect(error(['--wait-replicas', 'one'])).toBe('--wait-replicas one: expected an integer ≥ 1');
  });

  it('--keys: the default choice when unset, a whole number from 1 to 4096, with its twin', () => {
    expect(parse([]).options.keys).toBeNull();
    expect(parse(['--keys', '40']).options.keys).toBe(40);
    expect(parse([], { HARNESS_KEYS: '12' }).options.keys).toBe(12);
    expect(parse(['--keys', '5'], { HARNESS_KEYS: '12' }).options.keys).toBe(5);
    const why = 'expected a whole number of keys from 1 to 4096 (unset: at least 8 a master, every slot range touched)';
    for (const bad of ['0', '-3', '2.5', 'many', '4097', '1e3']) expect(error([`--keys=${bad}`])).toBe(`--keys ${bad}: ${why}`);
    expect(error([], { HARNESS_KEYS: 'x' })).toBe(`HARNESS_KEYS x: ${why}`);
  });

  it('take their HARNESS_* twins, and a flag beats its twin', () => {
    const env = { HARNESS_PLATFORM: 'kind', HARNESS_SEED: '9', HARNESS_NODE_TIMEOUT: '3000', HARNESS_REPORT_DIR: '/tmp/r', HARNESS_MANIFESTS: '/tmp/m' };
    expect(parse([], env).options).toMatchObject({ platform: 'kind', seed: 9, nodeTimeoutMs: 3000, reportDir: '/tmp/r', manifests: '/tmp/m' });
    expect(parse(['--platform', 'local', '--seed', '1'], env).options).toMatchObject({ platform: 'local', seed: 1 });
  });

  it('take repeatable --redis-config KEY=VALUE, or its comma-separated twin, with cluster-node-timeout as the node timeout', () => {
    const { options } = parse(['--redis-config', 'repl-diskless-sync-delay=0', '--redis-config', 'save=', '--redis-config', 'cluster-node-timeout=3000']);
    expect(options.redisConfig).toEqual([{ key: 'repl-diskless-sync-delay', value: '0' }, { key: 'save', value: '' }]);
    expect(options.nodeTimeoutMs).toBe(3000);
    expect(parse([], { HARNESS_REDIS_CONFIG: 'appendfsync=always, repl-diskless-sync-delay=0' }).options.redisConfig).toEqual([
      { key: 'appendfsync', value: 'always' }, { key: 'repl-diskless-sync-delay', value: '0' },
    ]);
    expect(parse(['--redis-config', 'save=60 1'], { HARNESS_REDIS_CONFIG: 'appendfsync=always' }).options.redisConfig).toEqual([{ key: 'save', value: '60 1' }]);
  });

  it('reject a malformed --redis-config in one line', () => {
    expect(error(['--redis-config', 'repl-diskless-sync-delay'])).toBe('--redis-config repl-diskless-sync-delay: expected KEY=VALUE, e.g. repl-diskless-sync-delay=0');
    expect(error(['--redis-config', '=0'])).toBe('--redis-config =0: the key is empty; expected KEY=VALUE, e.g. repl-diskless-sync-delay=0');
    expect(error([], { HARNESS_REDIS_CONFIG: 'a b=1' })).toBe('HARNESS_REDIS_CONFIG a b=1: "a b" is not a Redis config directive (letters, digits and dashes)');
    expect(error(['--redis-config', 'port=7000'])).toBe('--redis-config port=7000: port is set by the harness and cannot be overridden');
    expect(error(['--redis-config', 'cluster-node-timeout=soon'])).toBe('--redis-config cluster-node-timeout=soon: expected an integer ≥ 1');
    expect(error(['--node-timeout', '2000', '--redis-config', 'cluster-node-timeout=3000'])).toBe('--redis-config cluster-node-timeout=3000 contradicts --node-timeout 2000');
  });

  it('take --nodes and --zones for the local platform, by default as many as the manifests need (null here), one zone each, and refuse what cannot be', () => {
    expect(parse([]).options).toMatchObject({ nodes: null, zones: null });
    expect(parse(['--nodes', '5']).options).toMatchObject({ nodes: 5, zones: null });
    expect(parse(['--nodes', '4', '--zones', '2']).options).toMatchObject({ nodes: 4, zones: 2 });
    expect(parse([], { HARNESS_NODES: '2' }).options).toMatchObject({ nodes: 2, zones: null });
    expect(parse(['--zones', '2']).options).toMatchObject({ nodes: null, zones: 2 });
    expect(error(['--nodes', '0'])).toBe('--nodes 0: expected an integer ≥ 1');
    expect(error(['--nodes', '2', '--zones', '3'])).toBe('--zones 3: at most one zone per node (--nodes 2)');
    expect(error(['--platform', 'kubernetes', '--nodes', '3'])).toBe("--nodes: applies to --platform local only (on kubernetes, the nodes are the cluster's own)");
  });

  it('select scenarios in catalogue order', () => {
    expect(parse(['--scenario', 'kill-master', '--scenario', 'delete-pod-0']).options.scenarios).toEqual(known);
  });

  it('select by glob or all; nothing given is the seed five', () => {
    const more = ['delete-pod-0', 'kill-master', 'full-restart', 'full-restart-ip-shuffle', 'pause-master'];
    const pick = (argv: string[]) => parseCliArgs(argv, {}, more).options.scenarios;
    expect(pick([])).toEqual(['delete-pod-0', 'kill-master']);
    expect(pick(['--scenario', 'all'])).toEqual(more);
    expect(pick(['--scenario', 'full-restart*'])).toEqual(['full-restart', 'full-restart-ip-shuffle']);
    expect(pick(['--scenario', '*-master', '--scenario', 'full-restart'])).toEqual(['kill-master', 'full-restart', 'pause-master']);
    expect(() => pick(['--scenario', 'nothing-*'])).toThrow('--scenario nothing-*: unknown scenario; valid: delete-pod-0, kill-master, full-restart, full-restart-ip-shuffle, pause-master, a glob of them, or all');
  });

  it('reject mistakes in one line naming the flag and what is valid', () => {
    expect(error(['--bogus'])).toMatch(/^Unknown option '--bogus'; valid flags: --platform .* --help$/);
    expect(error(['--scenario', 'nope'])).toBe('--scenario nope: unknown scenario; valid: delete-pod-0, kill-master, a glob of them, or all');
    expect(error(['--platform', 'moon'])).toBe('--platform moon: unknown platform; valid: local, kind, kubernetes');
    expect(error(['--node-timeout', '0'])).toBe('--node-timeout 0: expected an integer ≥ 1');
    expect(error([], { HARNESS_SEED: '-1' })).toBe('--seed -1: expected an integer ≥ 0');
    expect(error(['stray'])).toMatch(/positional argument/);
  });

  it('say how to give a value that starts with a dash, and when a flag was given none', () => {
    expect(error(['--seed', '-1'])).toBe('--seed -1: a value that starts with a dash is written --seed=-1');
    expect(error(['--seed=-1'])).toBe('--seed -1: expected an integer ≥ 0');
    expect(error(['--rate', '--seed', '3'])).toBe('--rate: no value given (--seed came next)');
  });

  // The measured basis: 3 of the seed's 6-pod clusters per core. Six 6 × 1 clusters (72 pods) at
  // once on 2 cores starved Redis's own failover past its deadline: a false failure (docs/shapes.md).
  it('the default --parallel budgets Redis pods, not scenarios: fewer at once for a larger shape', () => {
    expect(defaultParallel('local', 5, 6, 2)).toBe(5);
    expect(defaultParallel('local', 14, 6, 2)).toBe(6);
    expect(defaultParallel('local', 6, 9, 2)).toBe(4); // 3 × 2
    expect(defaultParallel('local', 6, 12, 2)).toBe(3); // 6 × 1
    expect(defaultParallel('local', 6, 12, 4)).toBe(6); // a 4-core runner
    expect(defaultParallel('local', 6, 60, 2)).toBe(1); // one cluster is the machine's worth
    expect(defaultParallel('kubernetes', 6, 6, 2)).toBe(1);
  });

  it('refits a defaulted --parallel (and its rate cap) to the shape, says so, and leaves flags alone', () => {
    const six = ['--scenario', 'delete-pod-0', '--scenario', 'kill-master'];
    const a = parseCliArgs(six, {}, known);
    expect(a.defaulted).toEqual({ parallel: true, rate: true });
    expect(fitParallelToShape(a.options, 12, a.defaulted, 2)).toBeNull(); // 2 × 12 pods fit in 36
    const many = parseCliArgs([], {}, known);
    many.options.scenarios = ['a', 'b', 'c', 'd', 'e', 'f'];
    many.options.parallel = 6;
    expect(fitParallelToShape(many.options, 12, many.defaulted, 2)).toBe('3 scenarios at a time: each cluster has 12 pods, and 2 cores carry about 36 at once (--parallel N to choose)');
    expect([many.options.parallel, many.options.rate]).toEqual([3, 300]);
    // One at a time is the shared cluster, whose load is not capped.
    const one = parseCliArgs([], {}, known);
    Object.assign(one.options, { scenarios: ['a', 'b'], parallel: 2, rate: 300 });
    expect(fitParallelToShape(one.options, 60, one.defaulted, 2)).toMatch(/^1 scenario at a time/);
    expect([one.options.parallel, one.options.rate]).toEqual([1, null]);
    // Given by flag or twin: kept, even where the machine is short.
    const given = parseCliArgs(['--parallel', '6', '--rate', '500'], {}, known);
    expect(given.defaulted).toEqual({ parallel: false, rate: false });
    Object.assign(given.options, { scenarios: ['a', 'b', 'c', 'd', 'e', 'f'], parallel: 6 });
    expect(fitParallelToShape(given.options, 12, given.defaulted, 2)).toBeNull();
    expect(given.options.parallel).toBe(6);
    const twin = parseCliArgs(['--rate', '500'], { HARNESS_PARALLEL: '6' }, known);
    expect(twin.defaulted).toEqual({ parallel: false, rate: false });
    const rateOnly = parseCliArgs(['--rate', '500'], {}, known);
    Object.assign(rateOnly.options, { scenarios: ['a', 'b', 'c', 'd', 'e', 'f'], parallel: 6 });
    fitParallelToShape(rateOnly.options, 12, rateOnly.defaulted, 2);
    expect([rateOnly.options.parallel, rateOnly.options.rate]).toEqual([3, 500]);
  });
});

