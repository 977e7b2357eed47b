import { describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.ts';
import { waitForAgreement, type AgreementWait, type WaitingRun } from './waits.ts';

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
