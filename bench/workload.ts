// npm run bench:workload — the app driven for 10 s by the default clients (4) on the local cluster, in
// process mode and then in namespaces mode,
// against a baseline measured in the same run: the same 4 closed loops sending INCR straight to
// Redis through ioredis, without the app or HTTP. Last line: JSON.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Cluster } from 'ioredis';
import { bootstrapCluster, Clock, HistoryRecorder, loadManifests, LocalPlatform, percentile, resolveSystem, startWorkload } from '../harness/core.ts';
import { namespacesUnavailable } from '../harness/platform/local/sandbox/isolation.ts';
import { noFlags } from './flags.ts';

noFlags('workload');

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const CLIENTS = 4;
const system = resolveSystem(await loadManifests(path.resolve(import.meta.dirname, '../manifests')));
const noNamespaces = await namespacesUnavailable();
if (noNamespaces) console.log(`namespaces mode not measured: ${noNamespaces}`);

async function measure(isolation: 'processes' | 'namespaces') {
  const platform = await new LocalPlatform({ system, isolation }).up();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-workload-'));
  try {
    await bootstrapCluster(platform, system.shape, { readyTimeoutMs: 120_000 });
    const { url } = await platform.deployApp();

    // Baseline: Redis itself, as fast as 4 closed loops of INCR can go.
    const pods = await platform.pods();
    const direct = new Cluster(pods.map((p) => ({ host: p.ip!, port: platform.info.clientPort })));
    let directOps = 0;
    const until = Date.now() + Math.min(5000, DURATION_MS);
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        await direct.incr('bench-direct');
        directOps++;
      }
    }));
    const directPerSec = directOps / (Math.min(5000, DURATION_MS) / 1000);
    direct.disconnect();

    const file = path.join(dir, 'history.jsonl');
    const history = new HistoryRecorder(file);
    const workload = startWorkload(history, new Clock(), { url, clients: CLIENTS, maxDurationMs: DURATION_MS });
    await workload.done;
    await history.close();
    const ops = [...history.ops];
    const ok = ops.filter((o) => o.type === 'ok');
    const latencies = ok.map((o) => (o.completeNs - o.invokeNs) / 1e6).sort((a, b) => a - b);
    const diskBytes = (await stat(file)).size;
    const okPerSec = ok.length / (DURATION_MS / 1000);
    console.log(`${isolation}: app ${ok.length} ok of ${ops.length} in ${DURATION_MS} ms; direct Redis baseline: ${Math.round(directPerSec)} INCR/s`);
    return ({
      okPerSec: Math.round(okPerSec),
      p99Ms: Math.round(percentile(latencies, 99)! * 100) / 100,
      // Per history entry (Jepsen's "op": an invoke or a completion), on disk and in memory.
      historyBytesPerOp: Math.round(diskBytes / history.events),
      historyBytesPerRequest: Math.round(diskBytes / ops.length),
      memoryBytesPerOp: Math.round((history.ops.bytes / ops.length) * 10) / 10,
      directRedisIncrPerSec: Math.round(directPerSec),
      ratioToDirectRedis: Math.round((okPerSec / directPerSec) * 1000) / 1000,
      clients: CLIENTS,
      durationMs: DURATION_MS,
    });
  } finally {
    await platform.down();
    await rm(dir, { recursive: true, force: true });
  }
}

const processes = await measure('processes');
const namespaces = noNamespaces ? null : await measure('namespaces');
console.log(JSON.stringify({
  ...processes,
  namespaces: namespaces && {
    okPerSec: namespaces.okPerSec, p99Ms: namespaces.p99Ms, directRedisIncrPerSec: namespaces.directRedisIncrPerSec,
    // Throughput and latency of namespaces mode against process mode, both measured in this run.
    okPerSecRatioToProcesses: Math.round((namespaces.okPerSec / processes.okPerSec) * 1000) / 1000,
    p99RatioToProcesses: Math.round((namespaces.p99Ms / processes.p99Ms) * 1000) / 1000,
  },
}));
