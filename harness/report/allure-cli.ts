// `npm run report [-- RUN_DIR]`: the latest run's allure-results into an Allure 3 HTML report,
// with the `allure` npm package's JS CLI (no Java). Output: <run>/allure-report/index.html, one
// self-contained file that opens from disk.
import { existsSync, realpathSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { dropOutputOnceClosed } from '../util/terminate.ts';
import { deferAppScript } from './allure-defer.ts';

dropOutputOnceClosed(); // `| head`: the rest of the output is dropped, the work still finishes

const root = fileURLToPath(new URL('../../', import.meta.url));
const runDir = path.resolve(process.argv[2] ?? path.join(process.env.HARNESS_REPORT_DIR ?? 'reports', 'latest'));
const results = path.join(runDir, 'allure-results');
if (!existsSync(results)) {
  console.error(`redis-chaos: no Allure results in ${results}: run the scenarios first`);
  process.exit(2);
}
// Resolved once: reports/latest is a symlink, and Allure names the report after the real folder.
const realRunDir = realpathSync(runDir);
const output = path.join(realRunDir, 'allure-report');
const flat = await flatResults(results, path.join(realRunDir, '.allure-results-flat'));
const allure = binOf('allure', root);
// allurerc.mjs asks for the single-file report: the multi-file one fetches its data and shows only
// a spinner when opened from file://, which is how a person opens a report on disk.
const config = path.join(root, 'harness', 'report', 'allurerc.mjs');
const r = await execa(allure, ['generate', flat.dir, '--config', config, '--output', output, '--report-name', `redis-chaos ${path.basename(realRunDir)}`], {
  reject: false, timeout: 300_000, stdio: 'inherit',
}).finally(() => flat.remove());
if (r.exitCode !== 0) {
  console.error(`redis-chaos: allure generate failed (exit ${r.exitCode})`);
  process.exit(2);
}
const page = path.join(output, 'index.html');
const deferred = deferAppScript(await readFile(page, 'utf8'));
if (deferred === null) console.error(`redis-chaos: warning: ${page} is not laid out as Allure 3.18's single-file report; it may draw no data when opened on a busy machine`);
else await writeFile(page, deferred);
console.log(`Allure report: ${path.relative(process.cwd(), page)} (one file: open it in a browser)`);

/**
 * A dependency's command, found as Node finds the package: in the repository's node_modules, or,
 * installed as a package, in the node_modules of the project above it.
 */
function binOf(name: string, from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'node_modules', '.bin', name);
    if (existsSync(bin)) return bin;
    if (path.dirname(dir) === dir) return name;
  }
}

/**
 * The results with their title path dropped, in a scratch folder in the run's (its own results stay
 * as recorded; the folder goes once the report is generated).
 * allure-vitest gives each test the path project → folder → file, which Allure draws as three
 * collapsed groups before a scenario shows; without it, the tree lists the scenarios themselves on
 * the front page, one click from each.
 */
async function flatResults(dir: string, scratch: string): Promise<{ dir: string; remove(): Promise<void> }> {
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch);
  for (const name of await readdir(dir)) {
    const from = path.join(dir, name);
    if (!name.endsWith('-result.json')) {
      await copyFile(from, path.join(scratch, name));
      continue;
    }
    const result = JSON.parse(await readFile(from, 'utf8')) as { titlePath?: string[] };
    delete result.titlePath;
    await writeFile(path.join(scratch, name), JSON.stringify(result));
  }
  return { dir: scratch, remove: () => rm(scratch, { recursive: true, force: true }) };
}
