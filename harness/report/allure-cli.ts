// `npm run report [-- RUN_DIR]`: the latest run's allure-results into an Allure 3 HTML report,
// with the `allure` npm package's JS CLI (no Java). Output: <run>/allure-report/index.html, one
// self-contained file that opens from disk.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const root = fileURLToPath(new URL('../../', import.meta.url));
const runDir = path.resolve(process.argv[2] ?? path.join(process.env.HARNESS_REPORT_DIR ?? path.join(root, 'reports'), 'latest'));
const results = path.join(runDir, 'allure-results');
if (!existsSync(results)) {
  console.error(`redis-chaos: no Allure results in ${results}: run npm run scenarios first`);
  process.exit(2);
}
const output = path.join(realpathSync(runDir), 'allure-report');
const allure = path.join(root, 'node_modules', '.bin', 'allure');
// allurerc.mjs asks for the single-file report: the multi-file one fetches its data and shows only
// a spinner when opened from file://, which is how a person opens a report on disk.
const config = path.join(root, 'harness', 'report', 'allurerc.mjs');
const r = await execa(allure, ['generate', results, '--config', config, '--output', output, '--report-name', `redis-chaos ${path.basename(realpathSync(runDir))}`], {
  reject: false, timeout: 300_000, stdio: 'inherit',
});
if (r.exitCode !== 0) {
  console.error(`redis-chaos: allure generate failed (exit ${r.exitCode})`);
  process.exit(2);
}
console.log(`Allure report: ${path.relative(process.cwd(), path.join(output, 'index.html'))} (one file: open it in a browser)`);
