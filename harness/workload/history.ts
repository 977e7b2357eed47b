import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';
/** The counter's INCR and read; the list workload's RPUSH (`append`) and LRANGE (`read-list`). */
export type OpF = 'incr' | 'read' | 'append' | 'read-list';

/**
 * Which load a run drove: the counter's INCRs, the list workload's appends, or both side by side,
 * each shard with a counter key and a list key in one slot.
 */
export type Workload = 'counter' | 'append' | 'both';
export const WORKLOADS: readonly Workload[] = ['counter', 'append', 'both'];

/** One line of history.jsonl, Jepsen-style: every operation is an invoke, then one completion. */
export interface HistoryEvent {
  index: number;
  process: number;
  type: OpType;
  f: OpF;
  /** An INCR's or read's count; an append's value (on its invoke too); a list read's length. */
  value: number | null;
  /** A list read's values, in list order (on its ok completion only). */
  list?: number[];
  /** Nanoseconds since the scenario's clock started. */
  timeNs: number;
  latencyMs?: number;
  error?: string;
  /** The counter key, when the workload spreads over several (absent: the app's default key). */
  key?: string;
}

/** A completed operation (invoke + completion), as the checkers see it. */
export interface Op {
  process: number;
  f: OpF;
  type: Exclude<OpType, 'invoke'>;
  value: number | null;
  invokeNs: number;
  completeNs: number;
  error: string | null;
  /** The counter key; absent for the app's default key. */
  key?: string;
  /** An ok list read's values. */
  list?: number[];
}

// Appended only: the index is what a table stores, so old histories keep their meaning.
const F: OpF[] = ['incr', 'read', 'append', 'read-list'];
const TYPES: Op['type'][] = ['ok', 'fail', 'info'];

/**
 * What the checkers need of a history, in columns: 28 bytes per operation instead of two objects,
 * so memory stays flat in run length. Errors are interned (a run has a handful of kinds).
 */
export class OpTable {
  private cap = 1024;
  length = 0;
  private invokeNs = new Float64Array(this.cap);
  private completeNs = new Float64Array(this.cap);
  private value = new Float64Array(this.cap);
  private meta = new Uint8Array(this.cap * 3); // process, f, type
  private errorIndex = new Uint16Array(this.cap);
  // Two bytes: --keys goes to 4096, and --workload both has a list beside each key.
  private keyIndex = new Uint16Array(this.cap);
  private readonly errors: string[] = [''];
  private readonly errorIds = new Map<string, number>();
  private readonly keys: string[] = [''];
  // Sparse: only list reads carry one, and a counter run has none.
  private readonly lists = new Map<number, number[]>();

  add(op: Op): void {
    if (this.length === this.cap) this.grow();
    const i = this.length++;
    this.invokeNs[i] = op.invokeNs;
    this.completeNs[i] = op.completeNs;
    this.value[i] = op.value ?? Number.NaN;
    this.meta[i * 3] = op.process;
    this.meta[i * 3 + 1] = F.indexOf(op.f);
    this.meta[i * 3 + 2] = TYPES.indexOf(op.type);
    this.errorIndex[i] = op.error === null ? 0 : this.intern(op.error);
    this.keyIndex[i] = op.key ? this.keyId(op.key) : 0;
    if (op.list) this.lists.set(i, op.list);
  }

  /** The keys seen, the default one as ''. */
  get keyNames(): string[] {
    return [...this.keys];
  }

  get(i: number): Op {
    const v = this.value[i]!;
    const e = this.errorIndex[i]!;
    const k = this.keyIndex[i]!;
    // One literal, the optional fields added after: spreading a conditional object into it made
    // every op cost about 6 µs (V8's object spread), so a checker's pass over a 13 000-op history
    // took 80 ms and the seed checkers a second.
    const op: Op = {
      process: this.meta[i * 3]!,
      f: F[this.meta[i * 3 + 1]!]!,
      type: TYPES[this.meta[i * 3 + 2]!]!,
      value: Number.isNaN(v) ? null : v,
      invokeNs: this.invokeNs[i]!,
      completeNs: this.completeNs[i]!,
      error: e === 0 ? null : this.errors[e]!,
    };
    if (k !== 0) op.key = this.keys[k]!;
    if (this.lists.size) {
      const list = this.lists.get(i);
      if (list) op.list = list;
    }
    return op;
  }

  *[Symbol.iterator](): Iterator<Op> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  /** Bytes held per operation, for the benchmark. */
  get bytes(): number {
    return this.invokeNs.byteLength + this.completeNs.byteLength + this.value.byteLength + this.meta.byteLength + this.errorIndex.byteLength + this.keyIndex.byteLength;
  }

  static from(ops: Iterable<Op>): OpTable {
    const t = new OpTable();
    for (const op of ops) t.add(op);
    return t;
  }

  private keyId(key: string): number {
    let id = this.keys.indexOf(key);
    if (id === -1) {
      if (this.keys.length === 65536) throw new Error('a history holds at most 65535 keys');
      id = this.keys.push(key) - 1;
    }
    return id;
  }

  private intern(error: string): number {
    let id = this.errorIds.get(error);
    if (id === undefined) {
      id = Math.min(this.errors.length, 65535);
      if (id < 65535) this.errors.push(error);
      this.errorIds.set(error, id);
    }
    return id;
  }

  private grow(): void {
    this.cap *= 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(this.cap);
      b.set(a);
      return b;
    };
    this.invokeNs = f64(this.invokeNs);
    this.completeNs = f64(this.completeNs);
    this.value = f64(this.value);
    const meta = new Uint8Array(this.cap * 3);
    meta.set(this.meta);
    this.meta = meta;
    const errs = new Uint16Array(this.cap);
    errs.set(this.errorIndex);
    this.errorIndex = errs;
    const keys = new Uint16Array(this.cap);
    keys.set(this.keyIndex);
    this.keyIndex = keys;
  }
}

/**
 * Records a history: every event is appended to history.jsonl as it happens (so a run cut short
 * still has it on disk) and every completed operation goes into an OpTable for the checkers.
 */
export class HistoryRecorder {
  readonly ops = new OpTable();
  /** Keys with at least one acknowledged INCR or append, the default key as '' (as in OpTable), and when the last one completed. */
  private readonly lastWrittenNs = new Map<string, number>();
  private next = 0;
  private readonly open = new Map<number, { process: number; f: OpF; invokeNs: number; key: string | undefined; value: number | null }>();
  private readonly out: WriteStream | null;
  private buffered = '';
  private lastFlush = Date.now();
  bytesWritten = 0;

  private readonly flusher: NodeJS.Timeout | null;

  constructor(file: string | null) {
    this.out = file ? createWriteStream(file, { flags: 'a' }) : null;
    // Also on a timer, so a run killed while idle between events still has its history on disk.
    this.flusher = this.out ? setInterval(() => this.flush(), 200).unref() : null;
  }

  /** `value`: what an append writes, known before the outcome (null for the other operations). */
  invoke(process: number, f: OpF, timeNs: number, key?: string, value: number | null = null): number {
    const index = this.next++;
    this.open.set(index, { process, f, invokeNs: timeNs, key, value });
    this.write({ index, process, type: 'invoke', f, value, timeNs, ...(key ? { key } : {}) });
    return index;
  }

  complete(invokeIndex: number, type: Op['type'], value: number | null, timeNs: number, error: string | null = null, list?: number[]): void {
    const inv = this.open.get(invokeIndex);
    if (!inv) throw new Error(`operation ${invokeIndex} was never invoked or already completed`);
    this.open.delete(invokeIndex);
    const latencyMs = Math.round((timeNs - inv.invokeNs) / 1e4) / 100;
    const event: HistoryEvent = { index: this.next++, process: inv.process, type, f: inv.f, value, timeNs, latencyMs };
    // Even an empty one: a re-check reads errors back from this file, and '' is not null.
    if (error !== null) event.error = error;
    if (inv.key) event.key = inv.key;
    if (list) event.list = list;
    this.write(event);
    if (type === 'ok' && (inv.f === 'incr' || inv.f === 'append')) this.lastWrittenNs.set(inv.key ?? '', timeNs);
    this.ops.add({ process: inv.process, f: inv.f, type, value, invokeNs: inv.invokeNs, completeNs: timeNs, error, ...(inv.key ? { key: inv.key } : {}), ...(list ? { list } : {}) });
  }

  get events(): number {
    return this.next;
  }

  /** Whether `key` (the default key as '') has had an acknowledged write. */
  hasWritten(key: string): boolean {
    return this.lastWrittenNs.has(key);
  }

  /** Whether `key` has had an acknowledged write completed at or after `timeNs` (the history's clock). */
  writtenSince(key: string, timeNs: number): boolean {
    return (this.lastWrittenNs.get(key) ?? -Infinity) >= timeNs;
  }

  /** Operations still open when the workload stopped are indeterminate, as in Jepsen. */
  closeOpen(timeNs: number): void {
    // An append keeps its value: still open, it may yet have been applied.
    for (const [index, inv] of [...this.open]) this.complete(index, 'info', inv.f === 'append' ? inv.value : null, timeNs, 'still open at end');
  }

  async close(): Promise<void> {
    if (this.flusher) clearInterval(this.flusher);
    this.flush();
    if (!this.out) return;
    this.out.end();
    await once(this.out, 'close');
  }

  private write(event: HistoryEvent): void {
    if (!this.out) return;
    const line = `${JSON.stringify(event)}\n`;
    this.bytesWritten += line.length;
    this.buffered += line;
    // Batched for throughput, but never more than 200 ms behind, so a killed run keeps its history.
    if (this.buffered.length > 64 * 1024 || Date.now() - this.lastFlush > 200) this.flush();
  }

  private flush(): void {
    if (this.out && this.buffered) this.out.write(this.buffered);
    this.buffered = '';
    this.lastFlush = Date.now();
  }
}

/** Reads a history.jsonl back into operations (pairing invokes with completions by process). */
export function opsFromEvents(events: Iterable<HistoryEvent>): OpTable {
  const pairs = new EventPairer();
  for (const e of events) pairs.add(e);
  return pairs.table;
}

/** opsFromEvents one event at a time, for a history too long to hold as events. */
export class EventPairer {
  readonly table = new OpTable();
  private readonly open = new Map<number, HistoryEvent>();

  add(e: HistoryEvent): void {
    if (e.type === 'invoke') {
      this.open.set(e.process, e);
      return;
    }
    const inv = this.open.get(e.process);
    if (!inv) throw new Error(`history event ${e.index}: ${e.type} for process ${e.process} without an invoke`);
    this.open.delete(e.process);
    // An append's value is on its invoke; its completion repeats it, but a cut-short file may not.
    const value = e.f === 'append' ? (e.value ?? inv.value) : e.value;
    this.table.add({ process: e.process, f: e.f, type: e.type, value, invokeNs: inv.timeNs, completeNs: e.timeNs, error: e.error ?? null, ...(inv.key ? { key: inv.key } : {}), ...(e.list ? { list: e.list } : {}) });
  }
}
