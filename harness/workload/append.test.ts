import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendChecker } from '../checkers/append.ts';
import { evidence } from '../testing/evidence.ts';
import { startWorkload } from './clients.ts';
import { Clock } from './clock.ts';
import { HistoryRecorder } from './history.ts';

// A stand-in app with in-memory counters and lists: what is under test is the workload's op mix.
let server: Server;
let url: string;
const lists = new Map<string, string[]>();
let incrs = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const key = u.searchParams.get('key') ?? 'hits';
    if (u.pathname === '/append') {
      const list = lists.get(key) ?? [];
      list.push(u.searchParams.get('value')!);
      lists.set(key, list);
      return res.writeHead(200, { 'x-list-length': String(list.length) }).end();
    }
    if (u.pathname === '/list') return res.writeHead(200).end(JSON.stringify(lists.get(key) ?? []));
    if (u.pathname === '/count') return res.writeHead(200).end(JSON.stringify({ count: incrs }));
    return res.writeHead(200, { 'x-hit-count': String(++incrs) }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the append workload', () => {
  it('appends unique values to one list per key, reads whole lists, and its history passes the checker', async () => {
    const history = new HistoryRecorder(null);
    const listKeys = ['list:{a}:t', 'list:{b}:t'];
    const w = startWorkload(history, new Clock(), { url, clients: 4, keys: ['a', 'b'], workload: 'append', listKeys, readRatio: 0.3, maxOps: 400 });
    await w.done;
    const ops = [...history.ops];
    expect(new Set(ops.map((o) => o.f))).toEqual(new Set(['append', 'read-list']));
    const values = ops.filter((o) => o.f === 'append').map((o) => o.value);
    expect(new Set(values).size).toBe(values.length);
    expect(ops.filter((o) => o.f === 'read-list').every((o) => Array.isArray(o.list))).toBe(true);
    const e = evidence({ history: history.ops, workload: 'append', lists: listKeys.map((key) => ({ key, slot: 0, masterAtStart: null, finalRead: (lists.get(key) ?? []).map(Number) })) });
    expect(appendChecker(e)).toMatchObject({ valid: true, details: { attempted: values.length, acknowledged: values.length } });
  });

  it('both: half the processes count, half append, each on its own key', async () => {
    const history = new HistoryRecorder(null);
    const w = startWorkload(history, new Clock(), { url, clients: 4, keys: ['a', 'b'], workload: 'both', listKeys: ['list:{a}:u', 'list:{b}:u'], maxOps: 200 });
    await w.done;
    const byProcess = new Map<number, Set<string>>();
    for (const o of history.ops) byProcess.set(o.process, (byProcess.get(o.process) ?? new Set()).add(`${o.f === 'append' || o.f === 'read-list' ? 'list' : 'counter'} ${o.key ?? 'a'}`));
    expect([...byProcess.entries()].sort(([a], [b]) => a - b).map(([, s]) => [...s])).toEqual([['counter a'], ['counter b'], ['list list:{a}:u'], ['list list:{b}:u']]);
  });

  it('many keys: clients per shard, each taking its shard\'s keys in turn, counting and appending on every key', async () => {
    const history = new HistoryRecorder(null);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const listKeys = keys.map((k) => `list:{${k}}:m`);
    // Shards 0 and 1: a, c, e on one, b, d, f on the other; 4 clients, 2 counting and 2 appending.
    const w = startWorkload(history, new Clock(), { url, clients: 4, keys, shardOf: [0, 1, 0, 1, 0, 1], workload: 'both', listKeys, maxOps: 240 });
    await w.done;
    const byProcess = new Map<number, Set<string>>();
    for (const o of history.ops) byProcess.set(o.process, (byProcess.get(o.process) ?? new Set()).add(o.key ?? 'a'));
    expect([...byProcess.entries()].sort(([x], [y]) => x - y).map(([, s]) => [...s].sort())).toEqual([
      ['a', 'c', 'e'], ['b', 'd', 'f'], ['list:{a}:m', 'list:{c}:m', 'list:{e}:m'], ['list:{b}:m', 'list:{d}:m', 'list:{f}:m'],
    ]);
  });

  it('refuses to append without its lists', () => {
    expect(() => startWorkload(new HistoryRecorder(null), new Clock(), { url, keys: ['a', 'b'], workload: 'append', listKeys: ['x'] })).toThrow('the append workload needs one list key per counter key');
  });
});
