import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyMetrics } from '../scenario/result.ts';
import { writeHtmlReport } from './html.ts';
import type { RunSummary } from './summary.ts';

describe("report.html's promises", () => {
  it("shows a promise's Markdown code as code, escaped", async () => {
    const runDir = await mkdtemp(path.join(os.tmpdir(), 'promise-report-'));
    const scenario = { name: 'x', status: 'passed', startedAt: '', durationMs: 1000, seed: 1, schedule: [], faults: [], checks: [], metrics: emptyMetrics(), error: null,
      promises: [{ says: 'promotion within `2 × cluster-node-timeout + 5 s` & <no> more', checks: ['replica-promotion'], valid: true }] };
    const summary = { runId: 'r', status: 'passed', platform: 'local', seed: 1, startedAt: '', finishedAt: '', nodeTimeoutOverrideMs: 2000, redisConfig: {}, scenarios: [scenario] } as unknown as RunSummary;
    const html = await readFile(await writeHtmlReport(runDir, summary), 'utf8');
    await rm(runDir, { recursive: true, force: true });
    expect(html).toContain('<td>promotion within <code>2 × cluster-node-timeout + 5 s</code> &#38; &#60;no&#62; more</td>');
  });
});
