import { existsSync } from 'node:fs';
import path from 'node:path';
import { ManifestError } from '../errors.ts';

/** kubectl's error line without its log prefix: `E1203 20:29:22.646823 30694 run.go:72] "command failed" err="…"`, or `Error: …`. */
function reason(line: string): string {
  const err = /\berr="(.*)"$/.exec(line)?.[1];
  return (err === undefined ? line.replace(/^[EWIF]\d{4} \S+\s+\d+ \S+\] /, '') : err.replace(/\\"/g, '"')).replace(/^Error: /, '');
}

/** The names kustomize itself looks for, in its order. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Rendering is local and takes well under a second; a remote base may fetch, but not for minutes. */
export const RENDER_TIMEOUT_MS = 60_000;

/** The folder's own kustomization file, if it is a kustomization. */
export function kustomizationIn(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((f) => path.join(dir, f)).find((f) => existsSync(f));
}

/**
 * `kubectl kustomize DIR` (or, without kubectl, `kustomize build DIR`): the rendered stream of
 * documents. `shown` is the kustomization file as messages name it; every failure is one line
 * naming it, and the subprocess never outlives `timeoutMs` or `signal`.
 */
export async function renderKustomization(dir: string, shown: string, { timeoutMs = RENDER_TIMEOUT_MS, signal }: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string> {
  const tools: [string, string[]][] = [['kubectl', ['kustomize', dir]], ['kustomize', ['build', dir]]];
  // Loaded here, not with the module: every scenario worker loads the manifests, few render a
  // kustomization, and execa took 0.17 s of a worker's start to import (measured).
  const { execa } = await import('execa');
  for (const [file, args] of tools) {
    const r = await execa(file, args, { reject: false, timeout: timeoutMs, forceKillAfterDelay: 2000, stdin: 'ignore', ...(signal ? { cancelSignal: signal } : {}) });
    if ((r as { code?: string }).code === 'ENOENT') continue;
    const command = `${file} ${args.slice(0, -1).join(' ')}`;
    if (r.isCanceled) throw new ManifestError(shown, null, `${command} was cancelled`);
    if (r.timedOut) throw new ManifestError(shown, null, `${command} did not finish within ${Math.round(timeoutMs / 1000)} s`);
    if (r.exitCode !== 0) {
      const line = r.stderr.split('\n').map((l) => l.trim()).find((l) => l !== '' && !/^#?\s*warning/i.test(l));
      throw new ManifestError(shown, null, `${command} failed: ${line ? reason(line) : `exit ${r.exitCode ?? r.signal}`}`);
    }
    return r.stdout;
  }
  throw new ManifestError(shown, null, 'rendering a kustomization needs kubectl (or kustomize) on PATH; install kubectl');
}
