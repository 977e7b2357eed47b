import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendChecker } from '../checkers/index.ts';
import { evidence, fault, MS } from '../testing/evidence.ts';
import { OpTable, type Op } from '../workload/history.ts';
import { emptyMetrics } from '../scenario/result.ts';
import { writeHtmlReport } from './html.ts';
import type { RunSummary } from './summary.ts';

const KEY = 'list:{hits}:r';
const append = (value: number, from: number): Op => ({ process: 0, f: 'append', type: 'ok', value, invokeNs: from * MS, completeNs: (from + 2) * MS, error: null, key: KEY });
const read = (list: number[], from: number): Op => ({ process: 1, f: 'read-list', type: 'ok', value: list.length, list, invokeNs: from * MS, completeNs: (from + 1) * MS, error: null, key: KEY });

async function reportOf(ops: Op[], finalRead: number[], faults = [fault()], metrics = emptyMetrics()): Promise<string> {
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'append-report-'));
  const dir = path.join(runDir, 'scenarios', 'x');
  await mkdir(dir, { recursive: true });
  const check = { name: 'append', ...appendChecker(evidence({ history: OpTable.from(ops), faults, workload: 'append', lists: [{ key: KEY, slot: 866, masterAtStart: 'redis-cluster-0', finalRead }] })) };
  await writeFile(path.join(dir, 'checks.json'), JSON.stringify([check]));
  const scenario = { name: 'x', status: 'failed', startedAt: '', durationMs: 1000, seed: 1, schedule: [], faults: [], checks: [check], metrics, error: null };
  const summary = { runId: 'r', status: 'failed', platform: 'local', seed: 1, startedAt: '', finishedAt: '', nodeTimeoutOverrideMs: 2000, redisConfig: {}, scenarios: [scenario] } as unknown as RunSummary;
  return readFile(await writeHtmlReport(runDir, summary), 'utf8');
}

describe("report.html's append findings", () => {
  it('lists each lost and rolled-back value with its times', async () => {
    const html = await reportOf([append(1, 0), append(2, 10), read([1, 2], 20), append(3, 30)], [1]);
    expect(html).toContain('<table class="append-findings">');
    expect(html).toContain('<tr><td>lost</td><td><code>list:{hits}:r</code></td><td>2</td><td>0</td><td>0.012 s</td><td>read at 0.021 s</td></tr>');
    expect(html).toContain('<td>3</td><td>0</td><td>0.032 s</td><td>never read</td>');
    expect(html).toContain('<tr><td>rolled back</td><td><code>list:{hits}:r</code></td><td>2</td><td>—</td><td>—</td><td>read at 0.021 s, gone from the final read</td></tr>');
  });

  it("names a partitioned master's window, and shows nothing when nothing was lost", async () => {
    const cut = [fault({ kind: 'partition', atMs: 5, endMs: 6 })];
    expect(await reportOf([append(1, 0), append(2, 10)], [1], cut)).toContain("<td>lost in redis-cluster-0's minority window</td>");
    expect(await reportOf([append(1, 0)], [1])).not.toContain('append-findings');
  });

  it("shows the appends' figures beside the counter's when both ran, and no such line for one workload", async () => {
    const appends = { attempted: 40, acknowledged: 38, failed: 1, indeterminate: 1, lostAcknowledged: 2, rolledBack: 1, inMinorityWindow: 3 };
    const html = await reportOf([append(1, 0)], [1], [fault()], { ...emptyMetrics(), acknowledged: 90, appends });
    expect(html).toContain('<p class="meta" data-appends>appends: attempted 40 · acknowledged 38 · failed 1 · indeterminate 1 · lost acknowledged 2 · rolled back 1 · 3 in the documented minority window</p>');
    expect(await reportOf([append(1, 0)], [1])).not.toContain('data-appends');
  });
});
