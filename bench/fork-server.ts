// npm run bench:fork-server — what one short command costs the harness's main thread, forked
// from the process itself against sent to the fork server (harness/util/fork-server.ts), at the
// size a run's CLI has while its pods start (about 250 MB resident, held here by a ballast), in
// the same run, alternating. Last line: JSON.
import { performance } from 'node:perf_hooks';
import { forkServerReady, runCommand } from '../harness/util/fork-server.ts';
import { noFlags } from './flags.ts';

noFlags('fork-server');

const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 40);
const ROUNDS = 3;
const ballast = Buffer.alloc(200 * 2 ** 20, 1);
const rssMb = Math.round(process.memoryUsage.rss() / 2 ** 20);

async function measure(direct: boolean): Promise<{ wallMs: number; mainThreadMs: number }> {
  if (direct) process.env.HARNESS_FORK_SERVER = '0';
  else delete process.env.HARNESS_FORK_SERVER;
  const before = performance.eventLoopUtilization();
  const started = performance.now();
  for (let i = 0; i < COMMANDS; i++) {
    const r = await runCommand('ip', ['-V'], { timeout: 10_000 });
    if (r.exitCode !== 0) throw new Error(`ip -V: ${r.error ?? r.stderr}`);
  }
  const wallMs = performance.now() - started;
  return { wallMs, mainThreadMs: performance.eventLoopUtilization(before).active };
}

// The helper first, so that every measured command through it finds it ready.
if (!(await forkServerReady())) {
  console.error('bench:fork-server: the fork server did not start within 10 s');
  process.exit(2);
}
const runs: Record<'direct' | 'server', { wallMs: number; mainThreadMs: number }[]> = { direct: [], server: [] };
for (let round = 0; round < ROUNDS; round++) {
  runs.direct.push(await measure(true));
  runs.server.push(await measure(false));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const per = (kind: 'direct' | 'server', key: 'wallMs' | 'mainThreadMs') => Number((median(runs[kind].map((r) => r[key])) / COMMANDS).toFixed(2));
const out = {
  commands: COMMANDS, rounds: ROUNDS, rssMb, ballastBytes: ballast.length,
  direct: { mainThreadMsPerCommand: per('direct', 'mainThreadMs'), wallMsPerCommand: per('direct', 'wallMs') },
  server: { mainThreadMsPerCommand: per('server', 'mainThreadMs'), wallMsPerCommand: per('server', 'wallMs') },
  mainThreadRatio: Number((per('server', 'mainThreadMs') / per('direct', 'mainThreadMs')).toFixed(3)),
};
console.log(`at ${rssMb} MB resident, per command: direct ${out.direct.mainThreadMsPerCommand} ms of the main thread (${out.direct.wallMsPerCommand} ms wall), through the fork server ${out.server.mainThreadMsPerCommand} ms (${out.server.wallMsPerCommand} ms wall)`);
console.log(JSON.stringify(out));
