import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryRecorder, OpTable, opsFromEvents, type HistoryEvent } from './history.ts';

describe('the history', () => {
  it("records the list workload's appends with their values and reads with their lists, and reads them back", async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'history-')), 'history.jsonl');
    const h = new HistoryRecorder(file);
    const a = h.invoke(0, 'append', 1_000_000, 'list:{hits}:x', 7);
    const r = h.invoke(1, 'read-list', 1_500_000, 'list:{hits}:x');
    h.complete(a, 'ok', 7, 3_000_000);
    h.complete(r, 'ok', 1, 4_000_000, null, [7]);
    h.invoke(0, 'append', 5_000_000, 'list:{hits}:x', 8);
    h.closeOpen(9_000_000);
    await h.close();
    const events = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as HistoryEvent);
    expect(events[0]).toEqual({ index: 0, process: 0, type: 'invoke', f: 'append', value: 7, timeNs: 1_000_000, key: 'list:{hits}:x' });
    expect(events[3]).toMatchObject({ type: 'ok', f: 'read-list', value: 1, list: [7] });
    expect([...h.ops]).toEqual([...opsFromEvents(events)]);
    // Still open at the end, an append keeps its value: it may have been applied.
    expect([...h.ops].map((o) => [o.f, o.type, o.value, o.list])).toEqual([['append', 'ok', 7, undefined], ['read-list', 'ok', 1, [7]], ['append', 'info', 8, undefined]]);
  });

  it('is written Jepsen-style, one event per line, and kept as operations for the checkers', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'history-')), 'history.jsonl');
    const h = new HistoryRecorder(file);
    const a = h.invoke(0, 'incr', 1_000_000);
    const b = h.invoke(1, 'read', 1_500_000);
    h.complete(a, 'ok', 1, 3_000_000);
    h.complete(b, 'fail', null, 4_000_000, 'connection refused');
    const c = h.invoke(0, 'incr', 5_000_000);
    h.closeOpen(9_000_000);
    await h.close();
    const events = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as HistoryEvent);
    expect(events).toEqual([
      { index: 0, process: 0, type: 'invoke', f: 'incr', value: null, timeNs: 1_000_000 },
      { index: 1, process: 1, type: 'invoke', f: 'read', value: null, timeNs: 1_500_000 },
      { index: 2, process: 0, type: 'ok', f: 'incr', value: 1, timeNs: 3_000_000, latencyMs: 2 },
      { index: 3, process: 1, type: 'fail', f: 'read', value: null, timeNs: 4_000_000, latencyMs: 2.5, error: 'connection refused' },
      { index: 4, process: 0, type: 'invoke', f: 'incr', value: null, timeNs: 5_000_000 },
      { index: 5, process: 0, type: 'info', f: 'incr', value: null, timeNs: 9_000_000, latencyMs: 4, error: 'still open at end' },
    ]);
    expect(c).toBe(4);
    expect([...h.ops]).toEqual([...opsFromEvents(events)]);
    expect([...h.ops].map((o) => o.type)).toEqual(['ok', 'fail', 'info']);
  });

  it('knows which keys have had an acknowledged write: an INCR or append answered ok, not a read, a failure or an indeterminate one', () => {
    const h = new HistoryRecorder(null);
    const done = (f: 'incr' | 'append' | 'read' | 'read-list', type: 'ok' | 'fail' | 'info', key?: string) => h.complete(h.invoke(0, f, 0, key, f === 'append' ? 1 : null), type, 1, 1);
    done('read', 'ok', 'read-only');
    done('read-list', 'ok', 'list:read-only');
    done('incr', 'fail', 'failed');
    done('append', 'info', 'list:timed-out');
    done('incr', 'ok');
    done('incr', 'ok', 'k1');
    done('append', 'ok', 'list:k1');
    expect(['read-only', 'list:read-only', 'failed', 'list:timed-out', '', 'k1', 'list:k1'].filter((k) => h.hasWritten(k))).toEqual(['', 'k1', 'list:k1']);
  });

  it('refuses a completion without an invoke', () => {
    expect(() => new HistoryRecorder(null).complete(7, 'ok', 1, 0)).toThrow(/never invoked/);
  });

  it('holds thousands of keys: --keys goes to 4096, with a list beside each', () => {
    const t = OpTable.from(Array.from({ length: 9000 }, (_, i) => ({ process: 0, f: 'incr' as const, type: 'ok' as const, value: i, invokeNs: i, completeNs: i + 1, error: null, key: `k${i}` })));
    expect(t.get(8999).key).toBe('k8999');
    expect(t.keyNames).toHaveLength(9001);
  });

  it('keeps operations in columns, a few dozen bytes each however long the run', () => {
    const t = new OpTable();
    for (let i = 0; i < 100_000; i++) t.add({ process: i % 4, f: 'incr', type: 'ok', value: i, invokeNs: i * 10, completeNs: i * 10 + 5, error: i % 1000 === 0 ? 'timeout' : null });
    expect(t.length).toBe(100_000);
    expect(t.get(99_999)).toEqual({ process: 3, f: 'incr', type: 'ok', value: 99_999, invokeNs: 999_990, completeNs: 999_995, error: null });
    expect(t.get(1000).error).toBe('timeout');
    expect(t.bytes / t.length).toBeLessThan(60); // capacity doubles, so at most 2 × 29 bytes
  });
});
