import { describe, expect, it, vi } from 'vitest';
import { WaitTimeoutError } from '../errors.ts';
import { NotYet, settledWithin, sleep, waitUntil } from './wait.ts';

describe('waitUntil', () => {
  it('returns the probe value once it succeeds', async () => {
    let n = 0;
    await expect(waitUntil('three tries', async () => {
      if (++n < 3) throw new NotYet(`only ${n}`);
      return n;
    }, { timeoutMs: 2000, intervalMs: 10 })).resolves.toBe(3);
  });

  it('times out with what was still not true and the last state', async () => {
    const error = await waitUntil('never', async () => {
      throw new NotYet('still red', { color: 'red' });
    }, { timeoutMs: 200, intervalMs: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).message).toBe('never: not reached within 200 ms (last: still red)');
    expect((error as WaitTimeoutError).lastState).toEqual({ color: 'red' });
  });

  it('stops when the caller aborts, with the caller\'s reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user pressed Ctrl-C')), 50);
    await expect(waitUntil('aborted', async () => {
      throw new NotYet('no');
    }, { timeoutMs: 5000, intervalMs: 10, signal: controller.signal })).rejects.toThrow('user pressed Ctrl-C');
  });

  it('reports the last answer, not the attempt the deadline cut off', async () => {
    let n = 0;
    const error = await waitUntil<void>('slow', async (signal) => {
      if (n++ === 0) throw new NotYet('node 2 says cluster_state:fail');
      await sleep(60_000, signal);
    }, { timeoutMs: 150, intervalMs: 10 }).then(() => new Error('resolved'), (e: unknown) => e as Error);
    expect(error.message).toBe('slow: not reached within 150 ms (last: node 2 says cluster_state:fail)');
  });

  it('hands the probe a signal that fires at the deadline, so a hung attempt ends', async () => {
    const started = Date.now();
    await expect(waitUntil('hung', (signal) => sleep(60_000, signal), { timeoutMs: 150 })).rejects.toBeInstanceOf(WaitTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('settledWithin', () => {
  it('is true once the promise fulfils in time, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    try {
      const done = settledWithin(Promise.resolve('up'), 60_000);
      await expect(done).resolves.toBe(true);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('is false once the time runs out first', async () => {
    await expect(settledWithin(new Promise(() => {}), 20)).resolves.toBe(false);
  });

  it('rethrows a rejection within the time', async () => {
    await expect(settledWithin(Promise.reject(new Error('teardown failed')), 1000)).rejects.toThrow('teardown failed');
  });

  it('drops a rejection that comes after the time ran out, instead of leaving it unhandled', async () => {
    const late = sleep(40).then(() => Promise.reject(new Error('late')));
    await expect(settledWithin(late, 10)).resolves.toBe(false);
    // vitest fails the file on an unhandled rejection: give the late one time to land.
    await sleep(80);
  });
});
