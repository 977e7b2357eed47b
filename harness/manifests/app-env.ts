import { HarnessError } from '../errors.ts';
import { requireApp, type SystemUnderTest } from './system.ts';

/**
 * Sets environment variables on the app's container, in both forms the platforms read: the parsed
 * container (the local platform starts the app from it) and the raw Deployment document (what the
 * Kubernetes platform applies). A variable the manifests already set is replaced, so the run's flag
 * wins; the rest of the env keeps its order. Mutates the system: call it on one freshly loaded.
 */
export function setAppEnv(system: SystemUnderTest, vars: Record<string, string>): void {
  const entries = Object.entries(vars);
  if (entries.length === 0) return;
  const app = requireApp(system);
  const names = new Set(entries.map(([k]) => k));
  app.container.env = [...app.container.env.filter((e) => !names.has(e.name)), ...entries.map(([name, value]) => ({ name, value }))];
  const { file, documentIndex } = app.deployment.source;
  const doc = system.manifests.documents.find((d) => d.source.file === file && d.source.documentIndex === documentIndex)?.object;
  const containers = ((doc?.spec as { template?: { spec?: { containers?: Record<string, unknown>[] } } } | undefined)?.template?.spec?.containers) ?? [];
  const raw = containers.find((c) => c.name === app.container.name);
  if (!raw) throw new HarnessError(`${file} (document ${documentIndex}): no container "${app.container.name}" to set ${entries.map(([k]) => k).join(', ')} on`);
  const env = Array.isArray(raw.env) ? (raw.env as { name?: unknown }[]) : [];
  raw.env = [...env.filter((e) => typeof e.name !== 'string' || !names.has(e.name)), ...entries.map(([name, value]) => ({ name, value }))];
}
