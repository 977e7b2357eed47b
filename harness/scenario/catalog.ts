import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** Scenario names, from the files in scenarios/ (`<name>.test.ts`), in run order. */
export function scenarioNames(): string[] {
  const order = ['delete-pod-0', 'delete-pod-1', 'delete-pods-0-and-1', 'kill-master', 'crash-master'];
  const names = readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.test.ts')).map((f) => f.slice(0, -'.test.ts'.length));
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
