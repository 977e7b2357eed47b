import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheckers, SEED_CHECKERS, type RunEvidence } from '../checkers/index.ts';
import type { PodStatus, RunningPlatform } from '../platform/types.ts';
import { evidence, failedOver, fault } from '../testing/evidence.ts';
import { seedNodes, type FakeNode } from '../testing/topologies.ts';
import { Clock } from '../workload/clock.ts';
import { HistoryRecorder } from '../workload/history.ts';
import { startSampler } from '../workload/sampler.ts';
import { NotYet, waitUntil } from '../util/wait.ts';
import { readEvidence, writeEvidence } from './evidence.ts';

/** Pods answering CLUSTER NODES and INFO as `layout()` says at the moment they are asked. */
function fakePlatform(layout: () => FakeNode[]): RunningPlatform {
  const pod = (n: FakeNode, i: number): PodStatus => ({ name: n.pod, ordinal: i, ip: i === 5 ? null : n.ip, phase: 'Running', ready: true, restarts: 0, incarnation: `${n.pod}-1`, held: false, node: `node-${i % 3}`, zone: null, reason: null, lastTermination: null });
  const nodesText = (me: string) => layout().map((n) => `${n.id} ${n.ip}:6379@16379 ${n.pod === me ? 'myself,' : ''}${n.role === 'master' ? 'master' : 'slave'} ${n.masterId ?? '-'} 0 0 1 connected ${n.slots.map(([a, b]) => `${a}-${b}`).join(' ')}`.trim()).join('\n');
  return {
    pods: async () => layout().map(pod),
    redis: async (name: string, args: string[]) => {
      const me = layout().find((n) => n.pod === name)!;
      if (args[1] === 'NODES') return nodesText(name);
      if (args[1] === 'INFO') return `cluster_state:ok\r\ncluster_current_epoch:${layout()[3]!.role === 'master' ? 2 : 1}\r\n`;
      return `# Replication\r\nrole:${me.role === 'master' ? 'master' : 'slave'}\r\n# Persistence\r\nloading:0\r\n`;
    },
  } as unknown as RunningPlatform;
}

/** A short run recorded by the real writers: the history and the sampler write their files as in a scenario. */
async function recorded(dir: string): Promise<RunEvidence> {
  const clock = new Clock();
  let failed = false;
  const sampler = startSampler(fakePlatform(() => (failed ? failedOver() : seedNodes())), clock, { file: path.join(dir, 'topology.jsonl'), counterSlot: 4994, watchSlots: [4994, 5461, 10923], intervalMs: 20 });
  const history = new HistoryRecorder(path.join(dir, 'history.jsonl'));
  const ms = (n: number) => n * 1e6 + 0.123;
  const a = history.invoke(0, 'incr', ms(1));
  const b = history.invoke(1, 'incr', ms(1.5), 'shard-1-1');
  history.complete(a, 'ok', 1, ms(2));
  history.complete(b, 'info', null, ms(3), '');
  const c = history.invoke(0, 'read', ms(4));
  history.complete(c, 'fail', null, ms(5), 'CLUSTERDOWN');
  history.invoke(2, 'incr', ms(6), 'shard-2-1');
  // Samples of both layouts, counted rather than timed: a fixed 60 ms each took only two samples in
  // all on a loaded CI machine (CI68).
  const samplesReach = (n: number) => waitUntil(`${n} topology samples`, async () => {
    if (sampler.samples.length < n) throw new NotYet(`${sampler.samples.length} so far`);
  }, { timeoutMs: 10_000, intervalMs: 10 });
  await samplesReach(2);
  failed = true;
  await samplesReach(sampler.samples.length + 2);
  history.closeOpen(ms(9));
  await sampler.stop();
  await history.close();
  const e = evidence({
    history: history.ops, samples: sampler.samples, baseline: 3, finalRead: 4, counterSlot: 4994,
    keys: [{ key: 'hits', slot: 4994, masterAtStart: 'redis-cluster-0', baseline: 3, finalRead: 4 }, { key: 'shard-1-1', slot: 5461, masterAtStart: 'redis-cluster-1', baseline: 0, finalRead: null }],
    faults: [fault({ atMs: 30.25, endMs: 41.5 }), fault({ kind: 'restart', atMs: 90.5 }), fault({ kind: 'evict-refused', target: 'redis-cluster-1', reason: 'budget' })],
    recoveredAtMs: 110.75, expect: { promotion: 'promoted', maxUnavailableMs: 'failover' },
    observation: { stoppedEarly: [] }, memory: { limitBytes: 64 << 20, oomKills: [{ pod: 'redis-cluster-2', atMs: 50.5, mainProcess: true }] },
    claims: [{ name: 'data', storage: '1Gi' }, { name: 'scratch', storage: undefined }],
  });
  await writeEvidence(dir, e, sampler.settings);
  return e;
}

describe('evidence.json', () => {
  it('rebuilds with history.jsonl and topology.jsonl the very evidence the checkers judged', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'evidence-'));
    const original = await recorded(dir);
    expect(original.samples.length).toBeGreaterThan(2);
    expect(original.samples.some((s) => !Number.isInteger(s.tMs))).toBe(true);
    const back = (await readEvidence(dir))!;

    expect([...back.history]).toEqual([...original.history]);
    expect(back.samples).toEqual(original.samples);
    const { history: _h, samples: _s, ...rest } = original;
    const { history: _h2, samples: _s2, ...restBack } = back;
    expect(restBack).toEqual(JSON.parse(JSON.stringify(rest)));
    expect(runCheckers(SEED_CHECKERS, back)).toEqual(runCheckers(SEED_CHECKERS, original));
  });

  it('is absent from folders recorded before it existed: null, not an error', async () => {
    expect(await readEvidence(await mkdtemp(path.join(os.tmpdir(), 'evidence-')))).toBeNull();
  });

  it('refuses another version, or a file missing a field, naming the file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'evidence-'));
    await recorded(dir);
    const file = path.join(dir, 'evidence.json');
    const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...json, version: 2 }));
    await expect(readEvidence(dir)).rejects.toThrow(`${file}: version 2; this harness reads version 1`);
    delete json.faults;
    await writeFile(file, JSON.stringify(json));
    await expect(readEvidence(dir)).rejects.toThrow(`${file}: faults missing`);
  });
});
