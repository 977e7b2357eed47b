import { execa } from 'execa';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_MANIFESTS } from './local-cluster.ts';
import { scenariosArgv } from '../cli/entry.ts';

export interface CliSummary {
  exitCode: number;
  isolation: string | null;
  scenarios: { name: string; status: string; error?: string | null; checks: { name: string; valid: unknown; message: string }[]; metrics: { lostAcknowledged: number | null } }[];
}

/** Test helper: a copy of `from` (the repo's manifests by default) with `edits` applied, file by file. */
export async function manifestsWith(edits: Record<string, (text: string) => string>, from = REPO_MANIFESTS): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'variant-manifests-'));
  await cp(from, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const before = await readFile(path.join(dir, file), 'utf8');
    const after = edit(before);
    if (after === before) throw new Error(`the edit of ${file} changed nothing`);
    await writeFile(path.join(dir, file), after);
  }
  return dir;
}

/** Test helper: `npm run scenarios` on `manifests`, one scenario, fast settings, real processes. */
export async function runScenario(manifests: string, name: string, extra: string[] = [], env: Record<string, string> = {}): Promise<{ exitCode: number | undefined; summary: CliSummary; output: string; runDir: string }> {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'scenario-report-'));
  const r = await execa(process.execPath, scenariosArgv(['--manifests', manifests, '--scenario', name, '--parallel', '1', '--node-timeout', '2000',
    '--redis-config', 'repl-diskless-sync-delay=0', '--report-dir', reportDir, '--seed', '3', ...extra]), { reject: false, timeout: 170_000, env: { CI: '', HARNESS_SETTLE_MS: '1000', ...env } });
  const summary = JSON.parse(await readFile(path.join(reportDir, 'latest', 'summary.json'), 'utf8')) as CliSummary;
  return { exitCode: r.exitCode, summary, output: r.stdout, runDir: path.join(reportDir, 'latest') };
}
