import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { NotYet, waitUntil } from './wait.ts';

/**
 * Short commands (ip, nsenter, mkfs, mount, redis-cli) run by a small helper process instead of
 * forked from the harness. A fork copies the forking process's page tables and write-protects its
 * pages: at the harness's 200-500 MB, each spawn blocked its main thread 10-25 ms, and a cold run
 * started some 40 of them while its pods start on that thread (`npm run bench:fork-server`, at
 * 290 MB: 27 ms of the main thread per command forked here through execa, 1.05 ms sent). The helper
 * (fork-server.mjs) is started on first use, one per process, and ends when the process does;
 * until it says it is ready, commands are forked from this process, so its start delays nothing.
 *
 * `runCommand` behaves as execa with `reject: false` does: it never rejects, and a command that
 * could not start, timed out or was canceled says so in its result. Should the helper be gone,
 * commands are forked from this process as before. HARNESS_FORK_SERVER=0 does that throughout
 * (for a comparison).
 */
export interface CommandOptions {
  /** Written to the command's stdin; without it, stdin is /dev/null. */
  input?: string;
  /** Ends the command (SIGTERM, SIGKILL 2 s later) and sets `timedOut`. */
  timeout?: number;
  env?: Record<string, string | undefined>;
  /** Whether `env` adds to this process's environment (the default) or replaces it. */
  extendEnv?: boolean;
  cwd?: string;
  cancelSignal?: AbortSignal;
}

export interface CommandResult {
  /** Undefined when the command did not start or was ended by a signal. */
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  isCanceled: boolean;
  /** Why the command did not start (ENOENT and the like), or why the helper could not answer. */
  error: string | undefined;
}

interface Reply {
  id: number;
  ready?: boolean;
  exitCode?: number | null;
  signal?: string | null;
  stdout?: string;
  stderr?: string;
  timedOut?: boolean;
  canceled?: boolean;
  error?: string;
}

interface Server {
  child: ChildProcess;
  pending: Map<number, (reply: Reply) => void>;
  seq: number;
  ready: boolean;
  gone: boolean;
}

const SERVER = fileURLToPath(new URL('./fork-server.mjs', import.meta.url));
// One helper per process, not per module instance: vitest may evaluate this file twice in one process.
const KEY = Symbol.for('redis-chaos.fork-server');
const slot = globalThis as Record<symbol, Server | null | undefined>;

export async function runCommand(file: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  if (options.cancelSignal?.aborted) return { ...EMPTY, isCanceled: true, error: 'canceled before it started' };
  const server = wantedServer();
  return server?.ready ? viaServer(server, file, args, options) : direct(file, args, options);
}

/** What a failed command said: why it did not start, or its stderr, or its stdout; trimmed. */
export function failureText(result: CommandResult): string {
  if (result.error) return result.error;
  if (result.timedOut) return `timed out${result.stderr ? `: ${result.stderr.trim()}` : ''}`;
  return (result.stderr || result.stdout).trim();
}

/** This process's helper: its PID and whether it takes commands yet; null before the first command or once gone. */
export function forkServerState(): { pid: number; ready: boolean } | null {
  const server = slot[KEY];
  return server && !server.gone && server.child.pid !== undefined ? { pid: server.child.pid, ready: server.ready } : null;
}

/**
 * Starts this process's helper now, if it has none, without waiting for it: the CLI calls it before
 * its preflight, so that the helper has booted (about 0.1 s) by the time the pods' commands start.
 */
export function startForkServer(): void {
  wantedServer();
}

/**
 * Starts this process's helper if it has none and waits until it takes commands, for a test or a
 * bench that must measure the helper and not the direct path of the commands sent before it is
 * ready. False when the helper is off (HARNESS_FORK_SERVER=0), gone, or not ready in time.
 */
export async function forkServerReady(timeoutMs = 10_000, signal?: AbortSignal): Promise<boolean> {
  const server = wantedServer();
  if (!server) return false;
  try {
    return await waitUntil(
      'the fork server ready',
      async () => {
        if (server.gone || server.ready) return server.ready && !server.gone;
        throw new NotYet('not ready yet');
      },
      { timeoutMs, intervalMs: 10, signal },
    );
  } catch {
    return false;
  }
}

const EMPTY: CommandResult = { exitCode: undefined, signal: undefined, stdout: '', stderr: '', timedOut: false, isCanceled: false, error: undefined };

/** This process's helper, started on first use; null when switched off (HARNESS_FORK_SERVER=0) or it cannot start. */
function wantedServer(): Server | null {
  return process.env.HARNESS_FORK_SERVER === '0' ? null : serverOf();
}

function serverOf(): Server | null {
  const existing = slot[KEY];
  if (existing !== undefined) return existing && !existing.gone ? existing : null;
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [SERVER], { stdio: ['pipe', 'pipe', 'inherit'], env: withoutLoaders(process.env) });
  } catch {
    slot[KEY] = null;
    return null;
  }
  const server: Server = { child, pending: new Map(), seq: 0, ready: false, gone: false };
  slot[KEY] = server;
  const lost = (why: string) => {
    if (server.gone) return;
    server.gone = true;
    for (const answer of server.pending.values()) answer({ id: -1, error: `the fork server ${why}` });
    server.pending.clear();
  };
  child.on('error', (error) => lost(`could not run: ${error.message}`));
  child.on('exit', (code, signal) => lost(`exited (${signal ?? `code ${code}`})`));
  child.stdin!.on('error', () => lost('closed its input'));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const reply = JSON.parse(line) as Reply;
    if (reply.ready) {
      server.ready = true;
      return;
    }
    const answer = server.pending.get(reply.id);
    server.pending.delete(reply.id);
    idle(server);
    answer?.(reply);
  });
  idle(server);
  return server;
}

/** An idle helper keeps nothing alive: this process exits as if it had none, and the helper follows. */
function idle(server: Server): void {
  const busy = server.pending.size > 0;
  const handles = [server.child, server.child.stdin, server.child.stdout] as ({ ref(): unknown; unref(): unknown } | null)[];
  for (const h of handles) {
    if (busy) h?.ref();
    else h?.unref();
  }
}

function viaServer(server: Server, file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const id = ++server.seq;
  const env = options.extendEnv === false ? (options.env ?? {}) : { ...process.env, ...options.env };
  return new Promise<CommandResult>((resolve) => {
    const onAbort = () => server.child.stdin!.write(`${JSON.stringify({ id, cancel: true })}\n`);
    options.cancelSignal?.addEventListener('abort', onAbort, { once: true });
    server.pending.set(id, (reply) => {
      options.cancelSignal?.removeEventListener('abort', onAbort);
      resolve({
        exitCode: reply.exitCode ?? undefined,
        signal: reply.signal ?? undefined,
        stdout: stripFinalNewline(reply.stdout ?? ''),
        stderr: stripFinalNewline(reply.stderr ?? ''),
        timedOut: reply.timedOut ?? false,
        isCanceled: reply.canceled ?? false,
        error: reply.error,
      });
    });
    idle(server);
    server.child.stdin!.write(`${JSON.stringify({ id, file, args, input: options.input, env, cwd: options.cwd, timeoutMs: options.timeout })}\n`);
  });
}

async function direct(file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const result = await execa(file, args, {
    reject: false, stdin: options.input === undefined ? 'ignore' : 'pipe',
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.timeout ? { timeout: options.timeout } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.extendEnv === false ? { extendEnv: false } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.cancelSignal ? { cancelSignal: options.cancelSignal } : {}),
  });
  return {
    exitCode: result.exitCode, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr),
    timedOut: result.timedOut, isCanceled: result.isCanceled, error: result.exitCode === undefined && !result.signal && !result.timedOut ? result.shortMessage : undefined,
  };
}

/** The helper is plain JavaScript: it needs no TypeScript loader, and would only start slower with one. */
function withoutLoaders(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _ignored, ...rest } = env;
  return rest;
}

function stripFinalNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}
