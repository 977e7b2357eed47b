import { describe, expect, it, vi } from 'vitest';
import { HarnessError } from '../errors.ts';
import { SERVING_AGAIN_MS } from '../checkers/index.ts';
import { agreedAgain, waitForAgreement, waitForFirstWrites, waitForSampleSince, waitForServingAgain, type AgreementWait, type WaitingRun } from './waits.ts';

const runWith = (signal?: AbortSignal) => ({ env: { signal }, log: () => undefined }) as unknown as WaitingRun;
const waitOf = (done: AgreementWait['done']): AgreementWait => ({ done, stop: () => undefined });

describe('the first fault waits for the nodes to agree', () => {
  it('goes ahead once they did, at the time they did', async () => {
    await expect(waitForAgreement(runWith(), waitOf(Promise.resolve({ atMs: 1234 })))).resolves.toBe(1234);
  });

  it('is never injected when they did not: a HarnessError saying what was still unmet', async () => {
    const error = new Error('cluster ready: not within 72000 ms: redis-cluster-0 has redis-cluster-3 (8ac4ef6f) as master, it says replica');
    const outcome = waitForAgreement(runWith(), waitOf(Promise.resolve({ error })));
    await expect(outcome).rejects.toBeInstanceOf(HarnessError);
    await expect(outcome).rejects.toThrow(/did not agree on each other before the fault, so it was not injected: .*as master, it says replica/);
  });

  it('an interrupted run ends with the interruption, not a finding', async () => {
    const interrupt = new AbortController();
    interrupt.abort(new Error('SIGINT'));
    await expect(waitForAgreement(runWith(interrupt.signal), waitOf(Promise.resolve({ error: new Error('aborted') })))).rejects.toThrow('SIGINT');
  });
});

describe('the first fault waits for an acknowledged write on every key', () => {
  const runAt = (signal?: AbortSignal) => ({ env: { signal }, clock: { nowMs: () => Date.now() }, log: () => undefined }) as unknown as WaitingRun;

  it('goes ahead once the last key had one, at the time it did', async () => {
    const left = ['s5802{ljg}', 'hits'];
    setTimeout(() => left.pop(), 100);
    setTimeout(() => left.pop(), 200);
    const from = Date.now();
    const at = await waitForFirstWrites(runAt(), () => [...left], 5000);
    expect(left).toEqual([]);
    expect(at - from).toBeGreaterThanOrEqual(150);
  });

  it('is never injected when a key had none within its bound: a HarnessError naming the keys', async () => {
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'];
    const outcome = waitForFirstWrites(runAt(), () => keys, 300);
    await expect(outcome).rejects.toBeInstanceOf(HarnessError);
    await expect(outcome).rejects.toThrow(/no acknowledged write on some keys before the fault, so it was not injected: .*not reached within 300 ms \(last: 7 without one: k1, k2, k3, k4, k5, …\)/);
  });

  it('an interrupted run ends with the interruption', async () => {
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(new Error('SIGINT')), 50);
    await expect(waitForFirstWrites(runAt(interrupt.signal), () => ['hits'], 5000)).rejects.toThrow('SIGINT');
  });
});

describe('after a recovery, the verdict waits for the nodes to agree again', () => {
  const logged = (signal?: AbortSignal) => {
    const lines: string[] = [];
    return { lines, run: ({ env: { signal }, log: (m: string) => lines.push(m) }) as unknown as WaitingRun };
  };

  it('at the time they did, saying how long past the settle it took', async () => {
    const { lines, run } = logged();
    await expect(agreedAgain(run, waitOf(Promise.resolve({ atMs: 5400 })), 5000, 'settled')).resolves.toBe(5400);
    expect(lines).toEqual(['settled 400 ms more, until every node agreed on every other']);
    await expect(agreedAgain(run, waitOf(Promise.resolve({ atMs: 4000 })), 5000, 'settled')).resolves.toBe(4000);
    expect(lines).toHaveLength(1);
  });

  it('never: null with the reason, for config-consistent to judge (not a harness error)', async () => {
    const { lines, run } = logged();
    await expect(agreedAgain(run, waitOf(Promise.resolve({ error: new Error('cluster ready: not reached: redis-cluster-1 has redis-cluster-0 as master, it says replica') })), 0, 'settled')).resolves.toBeNull();
    expect(lines).toEqual(['the nodes did not agree on each other again: cluster ready: not reached: redis-cluster-1 has redis-cluster-0 as master, it says replica']);
  });

  it('interrupted: ends with the interruption', async () => {
    const interrupt = new AbortController();
    interrupt.abort(new Error('SIGTERM'));
    await expect(agreedAgain(logged(interrupt.signal).run, waitOf(Promise.resolve({ error: new Error('aborted') })), 0, 'settled')).rejects.toThrow('SIGTERM');
  });

  it('then until the sampler has a sample of the agreed cluster, bounded', async () => {
    const { lines, run } = logged();
    // The sampler is asked for a sample now, rather than at its next tick.
    const sampler = { samples: [{ tMs: 100 }], sampleNow: vi.fn(() => void setTimeout(() => sampler.samples.push({ tMs: 250 }), 100)) };
    await waitForSampleSince(run, sampler, 200);
    expect(sampler.sampleNow).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([]);
    // One it already has is enough: no sample is asked for.
    await waitForSampleSince(run, sampler, 250);
    expect(sampler.sampleNow).toHaveBeenCalledTimes(1);
    await waitForSampleSince(run, { samples: [{ tMs: 100 }], sampleNow: () => undefined }, 200);
    expect(lines).toEqual([expect.stringMatching(/^no topology sample after the nodes agreed: a topology sample of the agreed cluster: not reached within 2000 ms/)]);
  });
});

describe('the verdict waits, past the settle, for the app to serve every shard again', () => {
  const runLogging = (lines: string[], signal?: AbortSignal) => ({ env: { signal }, clock: { nowMs: () => Date.now() }, log: (l: string) => lines.push(l) }) as unknown as WaitingRun;

  it('not at all when every shard has served since the recovery', async () => {
    const lines: string[] = [];
    const from = Date.now();
    await waitForServingAgain(runLogging(lines), () => [], Date.now() - 1000);
    expect(Date.now() - from).toBeLessThan(50);
    expect(lines).toEqual([]);
  });

  it('until the last shard served, saying how long', async () => {
    const lines: string[] = [];
    const left = ['hits'];
    setTimeout(() => left.pop(), 200);
    await waitForServingAgain(runLogging(lines), () => [...left], Date.now() - 1000);
    expect(lines).toEqual([expect.stringMatching(/^waited \d+ ms more, until the app served every shard again$/)]);
  });

  it('until the allowance after the recovery, and a little more, then names the shards the checker will fail', async () => {
    const lines: string[] = [];
    const recoveredAtMs = Date.now() - SERVING_AGAIN_MS + 100;
    await waitForServingAgain(runLogging(lines), () => ['hits', 's5802{ljg}'], recoveredAtMs);
    expect(Date.now() - recoveredAtMs).toBeGreaterThanOrEqual(SERVING_AGAIN_MS + 500 - 5);
    expect(lines).toEqual([`the app served no write on hits, s5802{ljg} within ${SERVING_AGAIN_MS} ms of the recovery`]);
  });

  it('interrupted: ends with the interruption', async () => {
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(new Error('SIGINT')), 50);
    await expect(waitForServingAgain(runLogging([], interrupt.signal), () => ['hits'], Date.now())).rejects.toThrow('SIGINT');
  });
});
