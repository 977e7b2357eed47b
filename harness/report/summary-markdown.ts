// Prints the latest run's verdict table as Markdown: `TSX_DISABLE_CACHE=1 node --import tsx harness/report/summary-markdown.ts [RUN_DIR] >> $GITHUB_STEP_SUMMARY`.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { summaryMarkdown } from './markdown.ts';
import type { RunSummary } from './summary.ts';
import { dropOutputOnceClosed } from '../util/terminate.ts';

dropOutputOnceClosed(); // `| head`: the rest of the output is dropped, the work still finishes

const runDir = path.resolve(process.argv[2] ?? path.join(process.env.HARNESS_REPORT_DIR ?? 'reports', 'latest'));
try {
  process.stdout.write(summaryMarkdown(JSON.parse(await readFile(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary));
} catch (error) {
  process.stdout.write(`### redis-chaos: ⚠️ no summary.json in ${runDir} (${error instanceof Error ? error.message : String(error)})\n`);
  process.exitCode = 2;
}
