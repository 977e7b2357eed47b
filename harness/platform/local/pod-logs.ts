import { readFile } from 'node:fs/promises';
import { HarnessError } from '../../errors.ts';
import type { LocalRun } from './run-state.ts';

/** A Redis or app pod's log, as `kubectl logs` shows it: its main container's, the last lines if asked. */
export async function podLogs(run: LocalRun, name: string, { tailLines }: { tailLines?: number } = {}): Promise<string> {
  const pod = run.redisPods.find((p) => p.name === name) ?? run.appPods.find((a) => a.pod.name === name)?.pod;
  if (!pod) throw new HarnessError(`no pod named ${name}`);
  return tail(await readFile(run.runDir.log(name, pod.containers[0]?.spec.name ?? 'redis'), 'utf8').catch(() => ''), tailLines);
}

/**
 * The container's own last lines, without the harness's `=== redis-chaos:` notes: a container
 * that crash-loops writes two of those per restart, which would push out the line that says why.
 */
export async function ownLogTail(run: LocalRun, name: string, lines: number): Promise<string> {
  return (await podLogs(run, name)).split('\n').filter((l) => l && !l.startsWith('=== redis-chaos:')).slice(-lines).join('\n').trim();
}

function tail(text: string, lines: number | undefined): string {
  if (lines === undefined) return text;
  return text.split('\n').slice(-lines - 1).join('\n');
}
