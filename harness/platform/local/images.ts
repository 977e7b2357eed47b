import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../../errors.ts';
import type { Container, Source } from '../../manifests/types.ts';

/**
 * Which local program stands in for a container image. The local platform runs two images:
 * redis:* (the redis-server on PATH) and redis-chaos/hit-counter:* (this repository's app on Node).
 */
export type LocalImage = { kind: 'redis' } | { kind: 'hit-counter'; argv: string[]; cwd: string };

/** This repository (or the installed package): the app's image is its code, run by Node from here. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

/**
 * What the app's pod must see of the host: the repository, or, when the harness is a package in a
 * project's node_modules, that whole node_modules, where npm put the app's dependencies (ioredis,
 * tsx) beside the package rather than inside it.
 */
export const appRoot = appRootOf(repoRoot);

export function appRootOf(root: string): string {
  const at = root.indexOf(`${path.sep}node_modules${path.sep}`);
  return at === -1 ? root : root.slice(0, at + `${path.sep}node_modules`.length);
}

export function localImage(container: Container, source: Source): LocalImage {
  const image = container.image;
  if (image.startsWith('redis:') || image === 'redis') return { kind: 'redis' };
  if (image.startsWith('redis-chaos/hit-counter')) {
    // tsx as this package resolves it: from a project's node_modules, the working directory's
    // resolution would look in the wrong place.
    const tsx = import.meta.resolve('tsx');
    const shim = fileURLToPath(new URL('./dns-shim.ts', import.meta.url));
    const main = fileURLToPath(new URL('../../../app/hit-counter/main.ts', import.meta.url));
    return { kind: 'hit-counter', argv: [process.execPath, '--import', tsx, '--import', shim, main], cwd: repoRoot };
  }
  throw new HarnessError(
    `${source.file} (document ${source.documentIndex}): the local platform cannot run image "${image}" (it runs redis:* and redis-chaos/hit-counter:*); use --platform kind`,
  );
}

/** The container's argv as the image would run it: command, else the image's entrypoint, plus args. */
export function imageArgv(container: Container, image: LocalImage): string[] {
  if (container.command.length > 0) return [...container.command, ...container.args];
  if (image.kind === 'redis') return ['redis-server', ...container.args];
  return [...image.argv, ...container.args];
}
