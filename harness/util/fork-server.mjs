// The fork server's process (see fork-server.ts): runs short commands for the harness and answers
// each with its exit code and output, one JSON object per line on each side. It exists because a
// fork copies the forking process's page tables: forking the harness (200-500 MB) blocked its
// main thread 10-25 ms per command, forking this small process takes well under one.
//
// It outlives the harness's signals on purpose: a terminal's Ctrl-C reaches the whole process
// group, and the harness's teardown after it still runs commands here (ip, umount). It ends when
// its input closes, which happens when the harness exits however it exits, and then kills what it
// still runs (only those PIDs: its own children). Plain JavaScript: it runs under plain node.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const MAX_OUTPUT = 16 * 2 ** 20;
// After a timeout's SIGTERM, how long a command has before SIGKILL.
const KILL_GRACE_MS = 2000;
const running = new Map();

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => undefined);

const reply = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
/** The harness is gone: nothing will read an answer, so nothing it asked for goes on. */
function shutdown() {
  for (const { child } of running.values()) child.kill('SIGKILL');
  process.exit(0);
}
// A closed output means the harness is gone, as a closed input does.
process.stdout.on('error', shutdown);

function start(request) {
  const { id, file, args, input, env, cwd, timeoutMs } = request;
  let child;
  try {
    child = spawn(file, args, { env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  } catch (error) {
    reply({ id, error: error instanceof Error ? error.message : String(error) });
    return;
  }
  const entry = { child, timedOut: false, canceled: false, timers: [] };
  running.set(id, entry);
  const out = { stdout: '', stderr: '' };
  for (const stream of ['stdout', 'stderr']) {
    child[stream].setEncoding('utf8');
    child[stream].on('data', (chunk) => {
      if (out[stream].length < MAX_OUTPUT) out[stream] += chunk;
    });
  }
  if (input !== undefined) {
    child.stdin.on('error', () => undefined); // a command that exits without reading its input
    child.stdin.end(input);
  }
  if (timeoutMs) entry.timers.push(setTimeout(() => {
    entry.timedOut = true;
    stop(entry);
  }, timeoutMs));
  let done = false;
  const finish = (message) => {
    if (done) return;
    done = true;
    for (const timer of entry.timers) clearTimeout(timer);
    running.delete(id);
    reply({ id, timedOut: entry.timedOut, canceled: entry.canceled, ...message });
  };
  child.on('error', (error) => finish({ error: error.message, stdout: out.stdout, stderr: out.stderr }));
  child.on('close', (exitCode, signal) => finish({ exitCode, signal, stdout: out.stdout, stderr: out.stderr }));
}

/** SIGTERM, then SIGKILL if the command is still there after the grace period. */
function stop(entry) {
  entry.child.kill('SIGTERM');
  entry.timers.push(setTimeout(() => entry.child.kill('SIGKILL'), KILL_GRACE_MS));
}

createInterface({ input: process.stdin }).on('line', (line) => {
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    return;
  }
  if (request.cancel) {
    const entry = running.get(request.id);
    if (entry) {
      entry.canceled = true;
      stop(entry);
    }
  } else start(request);
}).on('close', shutdown);

// Commands are sent only after this: until then the harness forks them itself, never waiting for this boot.
reply({ ready: true });
