import { selects, type SystemUnderTest } from '../../manifests/index.ts';

/**
 * The manifests' documents in the two steps the platform applies them: the app's (its Deployment
 * and the Services in front of it) once the cluster is bootstrapped, everything else first. Split
 * by object, never by file: a folder may hold Redis and the app in one file, and a kustomization
 * renders everything as one stream.
 */
export function documentsFor(system: SystemUnderTest, which: 'redis' | 'app'): Record<string, unknown>[] {
  const { manifests, app } = system;
  const appSources = app ? [app.deployment, ...manifests.objects.filter((o) => o.kind === 'Service' && selects(o, app.deployment))].map((o) => o.source) : [];
  const isApp = (d: (typeof manifests.documents)[number]) => appSources.some((s) => s.file === d.source.file && s.documentIndex === d.source.documentIndex);
  return manifests.documents.filter((d) => isApp(d) === (which === 'app')).map((d) => d.object);
}
