import { execa, type ResultPromise } from 'execa';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { scenariosArgv } from '../cli/entry.ts';
import { listRuns } from '../platform/local/run-dir.ts';
import { markedProcesses } from '../platform/local/sweeper.ts';
import { kernelObjectsOf } from './kernel-objects.ts';

const root = path.resolve(import.meta.dirname, '../..');

export interface LiveCli {
  child: ResultPromise;
  output(): string;
  /** Resolves once the output holds `text`; rejects if the run ends first. */
  when(text: string | RegExp): Promise<void>;
}

/**
 * Test helper: `npm run scenarios` at fast settings, running, as a terminal runs it: its own
 * process group (detached), so that a test can signal the CLI and vitest's workers at once.
 * `preload` is a module imported into the CLI's own process first (testing/fixtures).
 */
export function startCli(reportDir: string, scenarios: string[], parallel: number, { preload, env = {} }: { preload?: string; env?: Record<string, string> } = {}): LiveCli {
  // The entry `npm run scenarios` runs; a preload goes first, after tsx when it is TypeScript.
  const preloads = preload ? [...(preload.endsWith('.ts') ? ['--import', 'tsx'] : []), '--import', preload] : [];
  const child = execa(process.execPath, [...preloads, ...scenariosArgv([...scenarios.flatMap((s) => ['--scenario', s]), '--parallel', String(parallel),
    '--node-timeout', '2000', '--redis-config', 'repl-diskless-sync-delay=0', '--report-dir', reportDir, '--seed', '7'])], {
    cwd: root, reject: false, timeout: 150_000, buffer: false, detached: true, env: { CI: '', HARNESS_SETTLE_MS: '1000', ...env },
    // A test's SIGTERM (child.kill) is the CLI's to handle: execa's default would SIGKILL it 5 s
    // later, mid-way through an orderly stop that takes longer on a busy machine.
    forceKillAfterDelay: false,
  });
  let out = '';
  const waiters: { text: string | RegExp; resolve: () => void }[] = [];
  const seen = (text: string | RegExp) => (typeof text === 'string' ? out.includes(text) : text.test(out));
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.filter((x) => seen(x.text))) w.resolve();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const when = (text: string | RegExp) => new Promise<void>((resolve, reject) => {
    waiters.push({ text, resolve });
    if (seen(text)) resolve();
    child.once('exit', () => reject(new Error(`the run ended before "${String(text)}":\n${out}`)));
  });
  return { child, output: () => out, when };
}

/** The run id the CLI's first line names. */
export const runIdOf = (cli: LiveCli): string => /setup: run (\S+),/.exec(cli.output())![1]!;

/** The hit counter's address, once the CLI has said where it serves. */
export const appUrlOf = (cli: LiveCli): string | null => /hit counter serving at (\S+)/.exec(cli.output())?.[1] ?? null;

export interface LiveSummary {
  status: string;
  exitCode: number;
  error: string | null;
  interruptedBy: string | null;
  scenarios: { name: string; status: string; partial?: boolean; error: string | null; checks: { name: string }[] }[];
}

export async function summaryOf(reportDir: string, runId: string, cli: LiveCli, exitCode: number | undefined): Promise<LiveSummary> {
  const text = await readFile(path.join(reportDir, runId, 'summary.json'), 'utf8').catch((e: Error) => {
    throw new Error(`${e.message}; the CLI said (exit ${exitCode}):\n${cli.output()}`);
  });
  return JSON.parse(text) as LiveSummary;
}

export const listening = (url: string) => new Promise<boolean>((resolve) => {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) }, () => { socket.destroy(); resolve(true); });
  socket.on('error', () => resolve(false));
});

/** What a run left behind: its marked processes, its run folder's record, its namespaces and links, its app still listening. */
export async function leftoversOf(runId: string, appUrl: string | null): Promise<string[]> {
  const left = [
    ...[...(await markedProcesses()).values()].filter((id) => id.startsWith(runId)).map((id) => `process of ${id}`),
    ...(await listRuns()).filter((x) => x.record?.runId.startsWith(runId)).map((x) => `run record ${x.record!.runId}`),
    ...(await kernelObjectsOf(runId)),
  ];
  // In namespaces mode the app's address was on the run's bridge, gone with it; on loopback it must not answer.
  if (appUrl && new URL(appUrl).hostname.startsWith('127.') && (await listening(appUrl))) left.push(`app at ${appUrl}`);
  return left;
}

/** The CLI's vitest workers (forked children running vitest's forks entry), by PID. */
export async function vitestWorkersOf(cli: LiveCli): Promise<number[]> {
  const pid = cli.child.pid!;
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean).map(Number);
  const workers: number[] = [];
  for (const child of children) {
    const cmdline = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('vitest/dist/workers/forks.js')) workers.push(child);
  }
  return workers;
}
