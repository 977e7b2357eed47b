import { HarnessError } from '../errors.ts';
import { NotYet, waitUntil } from '../util/wait.ts';
import { classifyResponse } from './classify.ts';

/**
 * Each try's own bound. No load runs while these reads do, so a slow answer costs nothing; 1 s was
 * too short for a Kubernetes port-forward opened on a node under load (every try of one baseline
 * read aborted there, and the scenario erred).
 */
const TRY_MS = 3000;
/**
 * Between tries. Right after the app started, it refused the baseline reads of all the keys of one
 * shard at once (503 "connection closed", in 1 and 7 of 24 reads in two cold runs; the app now
 * waits for a connection being made, app/hit-counter/redis-client.ts), each served at its next
 * try: at 200 ms apart, that was 0.2 s of a cold run's start.
 */
const RETRY_MS = 50;

/** GET /count, retried briefly: used for the baseline and the final read, when no load runs. */
export async function readCount(appUrl: string, timeoutMs = 10_000, key?: string): Promise<number> {
  try {
    return await waitUntil('read the counter', async (signal) => {
      const r = await fetch(`${appUrl}/count${key ? `?key=${encodeURIComponent(key)}` : ''}`, { signal: AbortSignal.any([signal, AbortSignal.timeout(TRY_MS)]) });
      const text = await r.text();
      if (r.status !== 200) throw new NotYet(`GET /count: ${r.status} ${text.trim()}`);
      return Number((JSON.parse(text) as { count: number }).count);
    }, { timeoutMs, intervalMs: RETRY_MS });
  } catch (error) {
    throw new HarnessError(`could not read the counter from ${appUrl}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** GET /list, retried briefly: the append workload's final read of one list. */
export async function readList(appUrl: string, key: string, timeoutMs = 10_000): Promise<number[]> {
  try {
    return await waitUntil(`read the list ${key}`, async (signal) => {
      const r = await fetch(`${appUrl}/list?key=${encodeURIComponent(key)}`, { signal: AbortSignal.any([signal, AbortSignal.timeout(TRY_MS)]) });
      const outcome = classifyResponse('read-list', r.status, Object.fromEntries(r.headers), await r.text());
      if (outcome.type !== 'ok') throw new NotYet(`GET /list: ${r.status} ${outcome.error ?? ''}`);
      return outcome.list!;
    }, { timeoutMs, intervalMs: RETRY_MS });
  } catch (error) {
    throw new HarnessError(`could not read the list ${key} from ${appUrl}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
