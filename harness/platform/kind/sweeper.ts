import { execa } from 'execa';
import { RUN_ID_PATTERN } from '../../util/run-id.ts';
import { isOwnerAlive, listRuns } from '../local/run-dir.ts';
import { kind } from './commands.ts';

/** Clusters named redis-chaos-<runId> whose run has no live owner on this machine. */
export function deadKindClusters(clusters: string[], liveRunIds: Set<string>): string[] {
  return clusters.filter((name) => {
    const m = /^redis-chaos-(.+)$/.exec(name);
    return m !== null && RUN_ID_PATTERN.test(m[1]!) && !liveRunIds.has(m[1]!);
  });
}

/** `--sweep --platform kind`: lists the dead runs' clusters, then deletes them. Never touches other clusters. */
export async function sweepKindClusters(log: (line: string) => void): Promise<string[]> {
  const list = kind.list();
  const r = await execa(list.file, list.args, { timeout: 30_000, reject: false });
  if (r.exitCode !== 0) {
    log(`kind: cannot list clusters (${(r.stderr || String(r.exitCode)).trim()})`);
    return [];
  }
  const live = new Set((await listRuns()).filter((x) => x.record && isOwnerAlive(x.record)).map((x) => x.record!.runId));
  const dead = deadKindClusters(r.stdout.split('\n').map((s) => s.trim()).filter(Boolean), live);
  log(dead.length ? `kind: clusters left by dead runs: ${dead.join(', ')}` : 'kind: no clusters left behind');
  for (const name of dead) {
    const d = kind.delete(name);
    await execa(d.file, d.args, { timeout: 180_000, reject: false });
    log(`kind: deleted ${name}`);
  }
  return dead;
}
