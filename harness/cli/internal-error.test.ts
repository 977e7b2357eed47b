import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appUrlOf, leftoversOf, runIdOf, startCli, summaryOf } from '../testing/live-cli.ts';

const plant = path.resolve(import.meta.dirname, '../testing/fixtures/plant-error.mjs');

/**
 * An error no code awaited, in the CLI's own process mid-run (a harness bug). Left to vitest (an
 * unhandled rejection) or Node (an uncaught exception), the CLI exited 1 at once, the code of a
 * failed check, with no summary, and left the run's namespaces, links and mounts to the sweeper.
 */
async function runWithPlanted(kind: 'reject' | 'throw' | 'sigterm', at = '5000') {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'cli-internal-error-'));
  const cli = startCli(reportDir, ['kill-master'], 1, { preload: plant, env: { PLANT: kind, PLANT_AT_MS: at } });
  const r = await cli.child;
  const runId = runIdOf(cli);
  return { r, output: cli.output(), runId, appUrl: appUrlOf(cli), summary: await summaryOf(reportDir, runId, cli, r.exitCode) };
}

describe('npm run scenarios, an error nothing awaited in its own process', () => {
  for (const [kind, what, how] of [['reject', 'rejection', 'an unhandled rejection'], ['throw', 'exception', 'an uncaught exception']] as const) {
    it(`${how}: printed with its stack, the run's error; the run still records and tears down, exit 2`, async () => {
      const { r, output, runId, appUrl, summary } = await runWithPlanted(kind);
      expect(r.exitCode, output).toBe(2);
      expect(output).toContain(`redis-chaos: internal error: planted ${what}`);
      expect(output).toMatch(/verdict: error \(exit 2\)/);
      expect(summary).toMatchObject({ status: 'error', exitCode: 2, error: `internal error: planted ${what}` });
      expect(summary.scenarios.map((s) => s.name)).toEqual(['kill-master']);
      expect(await leftoversOf(runId, appUrl)).toEqual([]);
    }, 150_000);
  }

  // vitest listens for unhandled rejections early while it loads (seconds on a busy machine), and
  // its listener exits 1 at once: a rejection in that window, planted right after it is added.
  it('an unhandled rejection while vitest loads: the same, not vitest\'s exit 1', async () => {
    const { r, output, runId, appUrl, summary } = await runWithPlanted('reject', 'vitest-listens');
    expect(r.exitCode, output).toBe(2);
    expect(output).toContain('redis-chaos: internal error: planted rejection');
    expect(summary).toMatchObject({ status: 'error', exitCode: 2, error: 'internal error: planted rejection' });
    expect(await leftoversOf(runId, appUrl)).toEqual([]);
  }, 150_000);

  // A SIGTERM in the same window (a crashed gate's to its runs): the orderly stop, not vitest's exit.
  it('a SIGTERM while vitest loads: the orderly stop, its record written, nothing left', async () => {
    const { r, output, runId, appUrl, summary } = await runWithPlanted('sigterm', 'vitest-listens');
    expect(r.exitCode, output).toBe(143);
    expect(summary).toMatchObject({ status: 'interrupted', interruptedBy: 'SIGTERM' });
    expect(await leftoversOf(runId, appUrl)).toEqual([]);
  }, 150_000);
});
