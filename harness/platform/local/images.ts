import { HarnessError } from '../../errors.ts';
import type { Container, Source } from '../../manifests/types.ts';

/**
 * Which local program stands in for a container image. The local platform runs two images:
 * redis:* (the redis-server on PATH) and redis-chaos/hit-counter:* (this repository's app, bundled
 * for the run by app-bundle.ts, on Node).
 */
export type LocalImage = { kind: 'redis' } | { kind: 'hit-counter' };

export function localImage(container: Container, source: Source): LocalImage {
  const image = container.image;
  if (image.startsWith('redis:') || image === 'redis') return { kind: 'redis' };
  if (image.startsWith('redis-chaos/hit-counter')) return { kind: 'hit-counter' };
  throw new HarnessError(
    `${source.file} (document ${source.documentIndex}): the local platform cannot run image "${image}" (it runs redis:* and redis-chaos/hit-counter:*); use --platform kind`,
  );
}

/**
 * The container's argv as the image would run it: command, else the image's entrypoint, plus args.
 * The hit counter's entrypoint is Node on the run's bundle of the app.
 */
export function imageArgv(container: Container, image: LocalImage, appBundle: string | undefined): string[] {
  if (container.command.length > 0) return [...container.command, ...container.args];
  if (image.kind === 'redis') return ['redis-server', ...container.args];
  if (!appBundle) throw new HarnessError('the hit counter\'s image was not built for this run');
  return [process.execPath, appBundle, ...container.args];
}
