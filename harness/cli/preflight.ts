import { loadSystem, podsOf, replicasText, requireApp, SEED_SHAPE, shapeText, type ClusterShape, type SystemUnderTest } from '../manifests/index.ts';
import { nodesNeeded } from '../platform/nodes-needed.ts';
import { REDIS_TOOLS, requireTools } from '../platform/prerequisites.ts';
import type { HarnessOptions } from '../session/options.ts';
import { HarnessError } from '../errors.ts';
import { chooseIsolation } from '../platform/local/sandbox/isolation.ts';
import { DISK_SCENARIOS, NETWORK_SCENARIOS, unfitForShape } from '../scenario/catalog.ts';
import { capacityUnavailable, NO_CAPACITY } from '../platform/local/volumes.ts';
import { fitParallelToShape, type ParsedArgs } from './args.ts';

/**
 * What can be checked in a second, before anything starts: the manifests and the tools the
 * platform needs. Each failure is a one-line HarnessError (exit 2) and nothing is left running.
 */
export async function preflight(options: HarnessOptions, log: (line: string) => void = (l) => console.log(l),
  args: Partial<Pick<ParsedArgs, 'named' | 'defaulted'>> = {}): Promise<SystemUnderTest> {
  const { named = [], defaulted = { parallel: false, rate: false } } = args;
  const system = await loadSystem(options.manifests, options);
  // Every session deploys the app: a folder without one it can tell is refused before anything starts.
  requireApp(system);
  const { shape } = system;
  if (shapeText(shape) !== shapeText(SEED_SHAPE)) log(`redis-chaos: cluster shape ${shapeText(shape)}: ${shape.masters} masters with ${replicasText(shape.replicasPerMaster)} each, ${podsOf(shape)} pods`);
  fitScenariosToShape(options, system.shape, named, log);
  fitWaitToShape(options, system.shape);
  const fewer = fitParallelToShape(options, podsOf(shape), defaulted);
  if (fewer) log(`redis-chaos: ${fewer}`);
  if (options.platform === 'local') {
    // --zones alone: its bound is the node count the manifests call for, known only now.
    if (options.nodes === null && options.zones !== null) {
      const { count } = nodesNeeded(system);
      if (options.zones > count) throw new HarnessError(`--zones ${options.zones}: at most one zone per node, and these manifests get ${count} nodes (--nodes N sets how many)`);
    }
    await requireTools(REDIS_TOOLS, 'the local platform');
    // Resolved once, before anything starts, so every session runs the same mode and the fallback is said once.
    const { mode, note } = await chooseIsolation(options.isolation);
    if (note) log(`redis-chaos: ${note}`);
    const needy = options.scenarios.filter((s) => NETWORK_SCENARIOS.includes(s));
    if (mode === 'processes' && needy.length) {
      throw new HarnessError(`${needy.join(', ')}: ${needy.length > 1 ? 'need' : 'needs'} --isolation namespaces, to cut or slow a pod's own network (${note ? note.slice(note.indexOf('(') + 1, note.indexOf(')')) : '--isolation processes was asked for'})`);
    }
    // Said once, like the fallback above; a scenario that fills a volume cannot run without it.
    const noCapacity = mode === 'namespaces' ? await capacityUnavailable() : null;
    if (noCapacity) log(`redis-chaos: volumes: ${noCapacity}: ${NO_CAPACITY}`);
    const filling = options.scenarios.filter((s) => DISK_SCENARIOS.includes(s));
    if (filling.length && (mode === 'processes' || noCapacity)) {
      throw new HarnessError(`${filling.join(', ')}: ${filling.length > 1 ? 'need' : 'needs'} volumes with a capacity of their own (--isolation namespaces, root and loop devices): ${noCapacity ?? 'this run\'s pods are bare processes, whose claims are folders on the host\'s disk'}`);
    }
    options.isolation = mode;
  }
  if (options.platform === 'kind') {
    const { checkKindPrerequisites } = await import('../platform/kind/prerequisites.ts');
    await checkKindPrerequisites();
  }
  if (options.platform === 'kubernetes') {
    const { checkKubernetesTarget } = await import('../platform/kubernetes/guard.ts');
    await checkKubernetesTarget(options);
  }
  return system;
}

/**
 * A scenario the shape cannot run (a second replica to fall back on, with one per master): asked
 * for by name, it is a mistake (exit 2); selected by a glob or `all`, it is left out, said once.
 */
export function fitScenariosToShape(options: HarnessOptions, shape: ClusterShape, named: string[], log: (line: string) => void): void {
  const unfit = unfitForShape(options.scenarios, shape.replicasPerMaster);
  if (!unfit.length) return;
  const why = (u: { name: string; needs: number }) => `${u.name} needs ${u.needs} replicas per master; the manifests' shape is ${shapeText(shape)} (masters × replicas per master)`;
  const asked = unfit.find((u) => named.includes(u.name));
  if (asked) throw new HarnessError(`--scenario ${why(asked)}: set redis-chaos/replicas-per-master on the StatefulSet, or --replicas-per-master, with replicas to match`);
  if (unfit.length === options.scenarios.length) throw new HarnessError(`${unfit.map(why).join('; ')}: nothing left to run`);
  for (const u of unfit) log(`redis-chaos: left out: ${why(u)}`);
  options.scenarios = options.scenarios.filter((s) => !unfit.some((u) => u.name === s));
}

/**
 * WAIT N returns how many replicas acknowledged a write, and the harness counts the write as ok
 * only when that is N: with fewer than N replicas per master, no write could ever count, and every
 * scenario would fail for a flag that asked the impossible. Refused before anything starts.
 */
export function fitWaitToShape(options: Pick<HarnessOptions, 'waitReplicas'>, shape: ClusterShape): void {
  const n = options.waitReplicas;
  if (!n || n <= shape.replicasPerMaster) return;
  const most = shape.replicasPerMaster === 0 ? 'leave it out: no master has a replica to wait for' : `at most ${shape.replicasPerMaster}`;
  throw new HarnessError(`--wait-replicas ${n}: each master has ${replicasText(shape.replicasPerMaster)} (the manifests' shape is ${shapeText(shape)}, masters × replicas per master), so WAIT ${n} could never be met and no write would count as acknowledged; ${most}`);
}
