import { setMaxListeners } from 'node:events';
import pRetry, { AbortError } from 'p-retry';
import { WaitTimeoutError } from '../errors.ts';

/** Thrown by a probe to say "not yet", with the reason and the state it saw. */
export class NotYet extends Error {
  constructor(
    reason: string,
    readonly state?: unknown,
  ) {
    super(reason);
    this.name = 'NotYet';
  }
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal | undefined;
}

/**
 * Polls `probe` until it returns, throwing a WaitTimeoutError that says what was still not true.
 * Built on p-retry so every wait has explicit retries, maxRetryTime and an AbortSignal; the
 * deadline signal is also handed to the probe so that a hung attempt cannot outlive the wait.
 */
export async function waitUntil<T>(
  what: string,
  probe: (signal: AbortSignal) => Promise<T>,
  { timeoutMs, intervalMs = 100, signal }: WaitOptions,
): Promise<T> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  // A probe may fan out to every node at once, each call listening on this one signal.
  setMaxListeners(200, combined);
  let last: { reason: string; state: unknown } = { reason: 'no attempt finished', state: undefined };
  try {
    return await pRetry(
      async () => {
        if (signal?.aborted) throw new AbortError(abortReason(signal));
        return await probe(combined);
      },
      {
        retries: Math.ceil(timeoutMs / Math.max(1, intervalMs)) + 1,
        minTimeout: intervalMs,
        maxTimeout: intervalMs,
        factor: 1,
        maxRetryTime: timeoutMs,
        signal: combined,
        onFailedAttempt: ({ error }) => {
          // The attempt cut off by the deadline itself says only "aborted": keep the last real answer.
          if (combined.aborted && last.reason !== 'no attempt finished') return;
          last = { reason: error.message, state: error instanceof NotYet ? error.state : last.state };
        },
      },
    );
  } catch (error) {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(abortReason(signal));
    throw new WaitTimeoutError(`${what}: not reached within ${timeoutMs} ms (last: ${last.reason})`, last.state);
  }
}

function abortReason(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
}

/** setTimeout as a promise that rejects when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Waits for `promise`, but at most `ms`: true once it fulfilled, false once the time ran out
 * first (it goes on unwatched; the race has handled its rejection, so a late one is dropped, not
 * unhandled). A rejection within the time is rethrown. The timer is cleared either way, so a
 * bounded wait never holds the process open after what it waited for is done.
 */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
