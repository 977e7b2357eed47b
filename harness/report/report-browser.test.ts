import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyMetrics, type ScenarioResult } from '../scenario/result.ts';
import type { ScenarioSeries } from '../scenario/series.ts';
import { writeHtmlReport } from './html.ts';
import type { RunSummary } from './summary.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
/** Debian's Chromium, headless: no sandbox (run as root), no GPU, no background network. */
const launchBrowser = () => chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'] });
// Outside CI a missing browser skips, saying so; in CI it must be there (.ci/run installs it).
if (!haveBrowser && !process.env.CI) console.warn(`report-browser: skipped, no browser at ${CHROMIUM} (apt-get install chromium)`);

function series(offset: number): ScenarioSeries {
  const t = Array.from({ length: 40 }, (_, i) => i * 250);
  return {
    counter: ['', 'shard-1-1', 'shard-2-1'].flatMap((key, k) => t.map((tMs, i) => ({ tMs, key, value: offset + k * 50 + i * 100 }))),
    shards: ['', 'shard-1-1', 'shard-2-1'].flatMap((key, k) => t.map((tMs) => ({ tMs, key, perSec: k === 0 && tMs > 3000 && tMs < 5000 ? 0 : 500 }))),
    throughput: t.flatMap((tMs) => [{ tMs, type: 'ok' as const, perSec: 1500 }, { tMs, type: 'fail' as const, perSec: tMs > 3000 && tMs < 5000 ? 800 : 0 }, { tMs, type: 'info' as const, perSec: 0 }]),
    latency: t.flatMap((tMs) => [{ tMs, stat: 'p50' as const, ms: 1 }, { tMs, stat: 'p99' as const, ms: 12 }, { tMs, stat: 'max' as const, ms: 40 }]),
    coverage: t.map((tMs) => ({ tMs, covered: tMs > 3000 && tMs < 5000 ? 10923 : 16384 })),
    owner: t.map((tMs) => ({ tMs, owner: tMs < 5000 ? 'redis-cluster-0' : 'redis-cluster-3' })),
    windows: [{ label: 'kill redis-cluster-0', fromMs: 3000, toMs: 5000 }],
    defaultKey: 'hits',
  };
}

const result = (name: string, status: ScenarioResult['status']): ScenarioResult => ({
  name, status, startedAt: new Date().toISOString(), durationMs: 12_000, seed: 1, schedule: [{ what: 'warm-up before fault', delayMs: 2000 }],
  faults: [{ kind: 'kill', target: 'redis-cluster-0', role: 'master', atMs: 3000 }],
  checks: [{ name: 'counter', valid: status === 'passed', message: status === 'passed' ? 'all good' : '3 acknowledged increments lost' }],
  promises: [{ says: 'no acknowledged write lost', checks: ['counter'], valid: status === 'passed' }],
  metrics: { ...emptyMetrics(), acknowledged: 1000, lostAcknowledged: status === 'passed' ? 0 : 3, failoverMs: 4500 }, error: null,
  shards: ['redis-cluster-0', 'redis-cluster-1', 'redis-cluster-2'].map((m, i) => ({ key: i === 0 ? 'hits' : `shard-${i}-1`, slot: [4994, 10773, 13125][i]!, masterAtStart: m, acknowledged: 333, failed: 0, indeterminate: 0, lostAcknowledged: 0, maxUnavailableMs: i === 0 ? 4500 : 20 })),
  placement: [0, 1, 2, 3, 4, 5].map((i) => ({ pod: `redis-cluster-${i}`, node: `node-${(i % 3) + 1}`, zone: `zone-${'abc'[i % 3]}`, role: i < 3 ? 'master' as const : 'replica' as const, replicaOf: i < 3 ? null : `redis-cluster-${(i + 1) % 3}` })),
});

describe.skipIf(!haveBrowser && !process.env.CI)('report.html in a real browser', () => {
  it('renders without console errors, lists every scenario and draws each one\'s charts', async () => {
    const runDir = await mkdtemp(path.join(os.tmpdir(), 'report-'));
    const scenarios = [result('delete-pod-0', 'passed'), result('kill-master', 'failed')];
    for (const [i, s] of scenarios.entries()) {
      const dir = path.join(runDir, 'scenarios', s.name);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'series.json'), JSON.stringify(series(i * 1000)));
    }
    const summary: RunSummary = {
      runId: 'test', platform: 'local', manifests: 'manifests', seed: 1, nodeTimeoutOverrideMs: 3000, manifestNodeTimeoutMs: 15000, redisConfig: { 'repl-diskless-sync-delay': '0', save: '' }, interruptedBy: null, parallel: 1,
      redisImage: 'redis:7.0.15-alpine', redisServerVersion: '7.0.15', isolation: 'namespaces', startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(),
      status: 'failed', exitCode: 1, error: null, timings: { platformUpMs: 1, bootstrapMs: 1, appUpMs: 1 }, scenarios,
    };
    const file = await writeHtmlReport(runDir, summary);

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      page.on('pageerror', (e) => errors.push(e.message));
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`file://${file}`);
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]); // self-contained: works offline
      expect(await page.locator('#verdicts tbody tr td:first-child').allInnerTexts()).toEqual(['delete-pod-0', 'kill-master']);
      expect(await page.locator('#run-status').innerText()).toBe('failed');
      expect(await page.locator('#redis-settings').innerText()).toBe('node timeout 3000 ms (--node-timeout override) · --redis-config repl-diskless-sync-delay=0 save=""');
      for (const s of scenarios) {
        const charts = page.locator(`section[data-scenario="${s.name}"] .chart svg`);
        expect(await charts.count()).toBe(6);
        // Drawn, not empty: each chart has marks and a non-trivial size.
        for (const box of await charts.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height))) expect(box).toBeGreaterThan(80);
        expect(await page.locator(`section[data-scenario="${s.name}"] .chart[data-chart="counter"] path`).count()).toBeGreaterThan(0);
        // One row per shard, the faulted one's gap among them.
        expect(await page.locator(`section[data-scenario="${s.name}"] table.shards tbody tr td:first-child`).allInnerTexts()).toEqual(['hits', 'shard-1-1', 'shard-2-1']);
        // The default key has one name in the legend and in the shard table.
        const legend = await page.locator(`section[data-scenario="${s.name}"] .chart[data-chart="counter"] svg`).innerHTML();
        expect(legend).toContain('>hits<');
        expect(legend).not.toContain('default key');
        // Each stated expectation, judged by its checks.
        expect(await page.locator(`section[data-scenario="${s.name}"] table.promises tbody tr`).innerText()).toBe(`no acknowledged write lost\t${s.status === 'passed' ? 'kept' : 'broken'}\tcounter`);
        // Where each pod was: its node, and whose replica it was.
        expect(await page.locator(`section[data-scenario="${s.name}"] table.placement tbody tr`).first().innerText()).toBe('redis-cluster-0\tmaster\tnode-1\tzone-a');
        expect(await page.locator(`section[data-scenario="${s.name}"] table.placement tbody tr`).nth(3).innerText()).toBe('redis-cluster-3\treplica of redis-cluster-1\tnode-1\tzone-a');
      }
      await page.screenshot({ path: path.join(runDir, 'report.png'), fullPage: false });
    } finally {
      await browser.close();
    }
  });
});

/** What allure-vitest writes for one passed scenario test (the fields the report reads). */
const allureResult = (name: string, start: number) => ({
  uuid: randomUUID(), historyId: name, testCaseId: name, name, fullName: `scenarios/${name}.test.ts#${name}`, status: 'passed', stage: 'finished',
  start, stop: start + 9000, steps: [{ name: 'fault', status: 'passed', stage: 'finished', start, stop: start + 4000, steps: [], attachments: [], parameters: [] }],
  attachments: [], parameters: [], links: [], titlePath: ['redis-chaos', 'scenarios', `${name}.test.ts`],
  labels: [{ name: 'framework', value: 'vitest' }, { name: 'package', value: `redis-chaos.scenarios.${name}.test.ts` }],
});

describe.skipIf(!haveBrowser && !process.env.CI)('the Allure report in a real browser', () => {
  const names = ['delete-pod-0', 'kill-master'];
  let runDir = '';
  let report = '';
  beforeAll(async () => {
    runDir = await mkdtemp(path.join(os.tmpdir(), 'allure-'));
    await mkdir(path.join(runDir, 'allure-results'));
    for (const [i, name] of names.entries()) {
      const r = allureResult(name, Date.now() + i * 10_000);
      await writeFile(path.join(runDir, 'allure-results', `${r.uuid}-result.json`), JSON.stringify(r));
    }
    const cli = await execa(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'allure-cli.ts'), runDir], { reject: false, timeout: 120_000 });
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('allure-report/index.html (one file: open it in a browser)');
    expect(cli.stderr).not.toContain('warning');
    report = `file://${path.join(runDir, 'allure-report', 'index.html')}`;
  }, 150_000);
  afterAll(() => rm(runDir, { recursive: true, force: true }));

  /** A page on the report, in a browser slowed `cpuSlowdown` times; what it fetched and logged. */
  async function open(browser: Browser, cpuSlowdown: number) {
    const context = await browser.newContext();
    const page = await context.newPage();
    if (cpuSlowdown > 1) await (await context.newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
    // The report is one 3.6 MB file of inline script: 2 s to render on a quiet machine, over 20 s
    // while the rest of npm test holds both cores, once over 60 s in CI. Generous, but bounded.
    page.setDefaultTimeout(120_000);
    page.setDefaultNavigationTimeout(120_000);
    const errors: string[] = [];
    const refused: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('requestfailed', (r) => { if (r.url().startsWith('file:')) refused.push(r.url()); });
    await page.goto(report);
    const shown = (name: string) => page.getByText(name, { exact: true }).first().waitFor({ state: 'visible' }).catch(async (e: Error) => {
      // What the page did show, so that a failure here says more than a timeout.
      throw new Error(`${e.message}\npage errors: ${errors.join(' | ') || 'none'}\nrefused: ${refused.join(' | ') || 'none'}\npage text: ${(await page.locator('body').innerText().catch(() => '?')).slice(0, 600)}`);
    });
    return { page, errors, refused, shown };
  }

  it('opens from file:// as docs/command.md says (npm run report, then open index.html) and shows every scenario', async () => {
    const browser = await launchBrowser();
    try {
      const { page, errors, refused, shown } = await open(browser, 1);
      // The front page's tree lists the scenarios themselves (no project → folder → file groups to
      // expand first): one click on a scenario opens it.
      for (const name of names) await shown(name);
      for (const group of ['redis-chaos', 'scenarios', `${names[0]}.test.ts`]) expect(await page.getByText(group, { exact: true }).count(), group).toBe(0);
      await page.getByText(names[1]!, { exact: true }).first().click();
      await page.getByText('fault', { exact: true }).first().waitFor({ state: 'visible' }); // the opened scenario's step
      expect(await readdir(runDir)).not.toContain('.allure-results-flat');
      expect(errors).toEqual([]);
      expect(refused).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 400_000);

  it('draws its data when the browser parses the page slower than the app draws (a loaded machine)', async () => {
    // At 20x CPU throttling Allure's own page (its app's script before its data) drew its header
    // and footer and never a result, in every try, having fetched widgets/*.json from file://,
    // which the browser refuses (seen twice in CI under load, as a blank report). allure-defer.ts.
    const browser = await launchBrowser();
    try {
      const { refused, shown } = await open(browser, 20);
      await shown(names[0]!);
      expect(refused).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 400_000);
});
