import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observationChecker } from '../checkers/index.ts';
import type { RunEvidence } from '../checkers/index.ts';
import { startWorkload } from './clients.ts';
import { Clock } from './clock.ts';
import { HistoryRecorder } from './history.ts';
import { startSampler } from './sampler.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { sleep } from '../util/wait.ts';

// A stand-in HTTP server: what is under test is the workload's own bounds, not the app.
let server: Server;
let url: string;
beforeAll(async () => {
  let hits = 0;
  server = createServer((_req, res) => res.writeHead(200, { 'x-hit-count': String(++hits) }).end(`I have been hit ${hits} times since deployment.\n`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the load and the sampler say when a bound stopped them', () => {
  it('maxOps and maxDurationMs: stoppedEarly names the bound; stop() before either leaves it null', async () => {
    const byOps = startWorkload(new HistoryRecorder(null), new Clock(), { url, clients: 2, maxOps: 20 });
    await byOps.done;
    expect(byOps.stoppedEarly).toBe('the workload reached its 20 operations (maxOps) and stopped');
    const byTime = startWorkload(new HistoryRecorder(null), new Clock(), { url, clients: 1, maxDurationMs: 200, ratePerClient: 50 });
    await byTime.done;
    expect(byTime.stoppedEarly).toBe('the workload reached its 0.2 s bound (maxDurationMs) and stopped');
    const stopped = startWorkload(new HistoryRecorder(null), new Clock(), { url, clients: 1, ratePerClient: 50 });
    await stopped.stop();
    expect(stopped.stoppedEarly).toBeNull();
  });

  it('the sampler too', async () => {
    const platform = { pods: async () => [] } as unknown as RunningPlatform;
    const sampler = startSampler(platform, new Clock(), { file: null, counterSlot: 0, intervalMs: 50, maxDurationMs: 150 });
    await sleep(300);
    await sampler.stop();
    expect(sampler.stoppedEarly).toBe('the topology sampler reached its 0.15 s bound (maxDurationMs) and stopped');
  });

  it('observation is unknown, never a pass, when either stopped before the verdict', () => {
    expect(observationChecker({ observation: { stoppedEarly: [] } } as unknown as RunEvidence).valid).toBe(true);
    const r = observationChecker({ observation: { stoppedEarly: ['the workload reached its 600 s bound (maxDurationMs) and stopped'] } } as unknown as RunEvidence);
    expect(r).toMatchObject({ valid: 'unknown', message: 'the workload reached its 600 s bound (maxDurationMs) and stopped before the verdict: part of the scenario went unobserved' });
  });
});
