import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** The walkthrough's five, in its order: what `npm run scenarios` runs by default. */
export const SEED_SCENARIOS = ['delete-pod-0', 'delete-pod-1', 'delete-pods-0-and-1', 'kill-master', 'crash-master'];

/** Scenarios that cut or slow a pod's network: they need --isolation namespaces on the local platform. */
export const NETWORK_SCENARIOS = ['partition-master', 'partition-replica', 'slow-network', 'zone-outage'];

/** Scenarios that fill a volume: they need claims with a capacity of their own (namespaces mode, loop devices). */
export const DISK_SCENARIOS = ['disk-full-master'];

/** Scenarios that need more replicas per master than the walkthrough's one, and how many. */
export const SHAPE_SCENARIOS: Record<string, number> = { 'kill-master-and-first-replica': 2 };

/** The selected scenarios a shape cannot run, each with the replicas per master it needs. */
export function unfitForShape(selected: string[], replicasPerMaster: number): { name: string; needs: number }[] {
  return selected.flatMap((name) => ((SHAPE_SCENARIOS[name] ?? 0) > replicasPerMaster ? [{ name, needs: SHAPE_SCENARIOS[name]! }] : []));
}

/** Every scenario, from the files in scenarios/ (`<name>.test.ts`): the seed's first, in run order. */
export function scenarioNames(): string[] {
  const names = readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.test.ts')).map((f) => f.slice(0, -'.test.ts'.length));
  const rank = (n: string) => (SEED_SCENARIOS.includes(n) ? SEED_SCENARIOS.indexOf(n) : SEED_SCENARIOS.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * What `--scenario` selects: names, globs (`full-restart*`, `*-master`), or `all`; nothing given is
 * the seed's five. Returns catalogue order, or the pattern that matched nothing.
 */
export function selectScenarios(patterns: string[], known: string[]): { selected: string[]; unmatched: string | null } {
  if (patterns.length === 0) return { selected: known.filter((k) => SEED_SCENARIOS.includes(k)), unmatched: null };
  const matchers = patterns.map((p) => ({ p, re: p === 'all' ? /^/ : new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`) }));
  const unmatched = matchers.find((m) => !known.some((k) => m.re.test(k)))?.p ?? null;
  return { selected: known.filter((k) => matchers.some((m) => m.re.test(k))), unmatched };
}
