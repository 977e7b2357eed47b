import { describe, expect, it } from 'vitest';
import { WaitTimeoutError } from '../errors.ts';
import { NotYet, sleep, waitUntil } from './wait.ts';

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
