import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { appUrlOf, leftoversOf, runIdOf, startCli, summaryOf, vitestWorkersOf, type LiveCli } from '../testing/live-cli.ts';

/**
 * A scenario's worker process killed outright (the OOM killer, a `kill -9`): nothing in it can
 * record or clean up, so the CLI's process must say what happened and still tear down and record.
 * vitest 4.1 alone reports the death to no one (the CLI runs none of its console reporters) and,
 * when the worker dies while starting, waits 60 s for it to start and then forever for it to exit
 * (a process killed by a signal has no exit code, which its stop waits for): the CLI then ended
 * after about 70 s with exit 1, the code of a failed check, and a summary blaming the cluster's
 * `--cluster create`, which the run's end had aborted.
 */
async function killWorker(cli: LiveCli, signal: AbortSignal): Promise<number> {
  for (;;) {
    signal.throwIfAborted();
    const [worker] = await vitestWorkersOf(cli);
    if (worker) {
      process.kill(worker, 'SIGKILL');
      return worker;
    }
    await sleep(10, undefined, { signal });
  }
}

async function runAndKillWorker(at: RegExp | 'its start', scenarios = ['kill-master'], parallel = 1) {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'cli-worker-death-'));
  const cli = startCli(reportDir, scenarios, parallel);
  const started = Date.now();
  if (at !== 'its start') await cli.when(at);
  await killWorker(cli, AbortSignal.timeout(60_000));
  const r = await cli.child;
  const runId = runIdOf(cli);
  const summary = await summaryOf(reportDir, runId, cli, r.exitCode);
  return { r, summary, output: cli.output(), runId, appUrl: appUrlOf(cli), afterMs: Date.now() - started };
}

describe('npm run scenarios, a scenario worker killed outright', () => {
  it('while it starts: exit 2 within seconds, the death named in the summary and the terminal, nothing left', async () => {
    const { r, summary, output, runId, appUrl, afterMs } = await runAndKillWorker('its start');
    expect(r.exitCode, output).toBe(2);
    expect(afterMs, output).toBeLessThan(40_000);
    expect(output).toMatch(/vitest: .*Worker exited unexpectedly/);
    expect(output).not.toMatch(/\n\s+at /);
    expect(output).toMatch(/verdict: error \(exit 2\)/);
    expect(summary).toMatchObject({ status: 'error', exitCode: 2 });
    expect(summary.error).toMatch(/Worker exited unexpectedly/);
    expect(summary.scenarios[0]).toMatchObject({ name: 'kill-master', status: 'error' });
    expect(summary.scenarios[0]!.error).toMatch(/Worker exited unexpectedly/);
    expect(await leftoversOf(runId, appUrl)).toEqual([]);
  }, 150_000);

  it('during a fault: exit 2, the scenario recorded as its worker dying, not as "did not run", nothing left', async () => {
    const { r, summary, output, runId, appUrl } = await runAndKillWorker(/waiting up to \d+ ms for a replica/);
    expect(r.exitCode, output).toBe(2);
    expect(output).toMatch(/vitest: .*Worker exited unexpectedly/);
    expect(output).not.toMatch(/\n\s+at /);
    expect(summary).toMatchObject({ status: 'error', exitCode: 2 });
    expect(summary.scenarios[0]).toMatchObject({ name: 'kill-master', status: 'error' });
    expect(summary.scenarios[0]!.error).toMatch(/^its vitest worker process died \(Worker exited unexpectedly/);
    expect(await leftoversOf(runId, appUrl)).toEqual([]);
  }, 150_000);

  it('with --parallel: the other scenario runs on and is judged; only the dead worker\'s scenario is lost', async () => {
    const { r, summary, output, runId } = await runAndKillWorker(/load running; fault in/, ['delete-pod-0', 'kill-master'], 2);
    expect(r.exitCode, output).toBe(2);
    const byStatus = summary.scenarios.map((s) => s.status).sort();
    expect(byStatus, output).toEqual(['error', 'passed']);
    const lost = summary.scenarios.find((s) => s.status === 'error')!;
    expect(lost.error).toMatch(/^its vitest worker process died/);
    expect(output).toContain(`run: ${lost.name}: its vitest worker process died`);
    expect(await leftoversOf(runId, null)).toEqual([]);
  }, 150_000);
});
