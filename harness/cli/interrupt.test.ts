import { execa } from 'execa';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appUrlOf, leftoversOf, runIdOf, startCli, summaryOf } from '../testing/live-cli.ts';

const root = path.resolve(import.meta.dirname, '../..');

async function interruptAt(moment: string | RegExp | (string | RegExp)[], signal: 'SIGINT' | 'SIGTERM', scenarios: string[], parallel = 1) {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'cli-interrupt-'));
  const run = startCli(reportDir, scenarios, parallel);
  for (const m of [moment].flat()) await run.when(m);
  const runId = runIdOf(run);
  process.kill(-run.child.pid!, signal);
  setTimeout(() => run.child.kill(signal), 50); // npm's forwarded copy: the same press, not a second one
  const r = await run.child;
  const summary = await summaryOf(reportDir, runId, run, r.exitCode);
  return { r, runId, summary, output: run.output(), reportDir, appUrl: appUrlOf(run) };
}

/** Each scenario's status and error, then the CLI's output: what a failing status check should show. */
const statuses = (summary: { scenarios: { name: string; status: string; error?: string | null }[] }, output: string) =>
  `${summary.scenarios.map((s) => `${s.name}: ${s.status}${s.error ? ` (${s.error})` : ''}`).join('\n')}\n${output}`;

async function expectNothingLeft(runId: string, appUrl: string | null) {
  expect(await leftoversOf(runId, appUrl)).toEqual([]);
}

describe('npm run scenarios, interrupted as a terminal interrupts it (the whole process group)', () => {
  it('during a fault: the scenario records its partial history and verdict, everything is torn down, exit 130', async () => {
    const { r, runId, summary, output, reportDir, appUrl } = await interruptAt('waiting up to', 'SIGINT', ['kill-master', 'crash-master']);
    expect(r.exitCode, output).toBe(130);
    expect(output).not.toMatch(/Worker exited unexpectedly|\n\s+at /);
    expect(summary).toMatchObject({ status: 'interrupted', exitCode: 130, interruptedBy: 'SIGINT' });
    const [killMaster, crashMaster] = summary.scenarios;
    expect(killMaster).toMatchObject({ name: 'kill-master', status: 'interrupted', partial: true, error: 'interrupted by SIGINT during the scenario' });
    expect(killMaster!.checks.map((c) => c.name)).toContain('counter');
    expect(crashMaster).toMatchObject({ name: 'crash-master', status: 'interrupted', error: 'interrupted by SIGINT before it ran' });
    const history = await readFile(path.join(reportDir, runId, 'scenarios', 'kill-master', 'history.jsonl'), 'utf8');
    expect(history.trim().split('\n').length).toBeGreaterThan(10);
    expect(await readFile(path.join(reportDir, runId, 'report.html'), 'utf8')).toContain('interrupted');
    expect(await readFile(path.join(reportDir, 'latest', 'summary.json'), 'utf8')).toContain(runId);
    await expectNothingLeft(runId, appUrl);
  }, 150_000);

  it('with --parallel, each scenario on its own cluster: every one records its part, and every cluster goes', async () => {
    const { r, runId, summary, output } = await interruptAt([/delete-pod-0 \(\+[\d:.]+\): load started/, /kill-master \(\+[\d:.]+\): load started/], 'SIGINT', ['delete-pod-0', 'kill-master'], 2);
    expect(r.exitCode, output).toBe(130);
    expect(summary.scenarios.map((s) => [s.name, s.status, s.partial])).toEqual([['delete-pod-0', 'interrupted', true], ['kill-master', 'interrupted', true]]);
    await expectNothingLeft(runId, null);
  }, 150_000);

  it('during setup: nothing ran, every scenario is interrupted, and nothing is left', async () => {
    const { r, runId, summary, output, appUrl } = await interruptAt('bootstrapping the cluster', 'SIGINT', ['delete-pod-0']);
    expect(r.exitCode, output).toBe(130);
    expect(summary).toMatchObject({ status: 'interrupted', interruptedBy: 'SIGINT' });
    expect(summary.scenarios.map((s) => s.status), statuses(summary, output)).toEqual(['interrupted']);
    await expectNothingLeft(runId, appUrl);
  }, 150_000);

  // The platform starts before vitest has loaded (run/opened-run.ts): a press then must still
  // abort the pods coming up, cancel the scenarios once vitest is there, and write the record.
  it('while vitest is still loading and the pods come up: every scenario is interrupted, and nothing is left', async () => {
    const { r, runId, summary, output, appUrl } = await interruptAt('platform local: applying', 'SIGINT', ['delete-pod-0', 'kill-master']);
    expect(r.exitCode, output).toBe(130);
    expect(summary).toMatchObject({ status: 'interrupted', interruptedBy: 'SIGINT' });
    expect(summary.scenarios.map((s) => s.status), statuses(summary, output)).toEqual(['interrupted', 'interrupted']);
    await expectNothingLeft(runId, appUrl);
  }, 150_000);

  it('during recovery, by SIGTERM as a cancelled CI job: exit 143 with the partial record', async () => {
    const { r, runId, summary, output, appUrl } = await interruptAt('ms for recovery (every node', 'SIGTERM', ['delete-pod-0']);
    expect(r.exitCode, `${r.signal ? `killed by ${r.signal}\n` : ''}${output}`).toBe(143);
    expect(summary).toMatchObject({ status: 'interrupted', exitCode: 143, interruptedBy: 'SIGTERM' });
    expect(summary.scenarios[0]).toMatchObject({ status: 'interrupted', partial: true });
    await expectNothingLeft(runId, appUrl);
  }, 150_000);

  // `npm run scenarios | head`: the reader goes, and the next line written fails with EPIPE (Node
  // ignores SIGPIPE itself). Unheard, that error crashed the CLI with a stack trace past its
  // teardown, and left the pods' namespaces, links and mounts to the next run's sweeper.
  it('its output closed mid-scenario (`| head`): stopped in order as on SIGPIPE, exit 141, nothing left', async () => {
    const reportDir = await mkdtemp(path.join(os.tmpdir(), 'cli-interrupt-'));
    const run = startCli(reportDir, ['kill-master'], 1);
    await run.when(/kill-master \(\+[\d:.]+\): load started/);
    const runId = runIdOf(run);
    run.child.stdout!.destroy();
    const r = await run.child;
    expect(r.exitCode, run.output()).toBe(141);
    expect(run.output()).toContain('the output was closed (SIGPIPE): stopping');
    expect(run.output()).not.toMatch(/EPIPE|\n\s+at /);
    const summary = await summaryOf(reportDir, runId, run, r.exitCode);
    expect(summary).toMatchObject({ status: 'interrupted', exitCode: 141, interruptedBy: 'SIGPIPE' });
    expect(summary.scenarios[0]).toMatchObject({ name: 'kill-master', status: 'interrupted', partial: true, error: 'interrupted by SIGPIPE during the scenario' });
    // What the terminal no longer showed is in the run's own record.
    expect(await readFile(path.join(reportDir, runId, 'progress.log'), 'utf8')).toMatch(/kill-master \(\+[\d:.]+\): interrupted: .*operations recorded, judged as a partial history/);
    await expectNothingLeft(runId, appUrlOf(run));
  }, 150_000);

  // Preflight prints before anything starts (here, the shape): a reader already gone there ends the
  // command at once, exit 141, with no stack trace and nothing started.
  it('its output closed before the run starts: exit 141 at once, nothing started', async () => {
    const reportDir = await mkdtemp(path.join(os.tmpdir(), 'cli-interrupt-'));
    const r = await execa('bash', ['-o', 'pipefail', '-c', `"$0" harness/cli.mjs --manifests examples/shape-6x1 --scenario kill-master --report-dir "$1" | true`, process.execPath, reportDir],
      { cwd: root, reject: false, timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(141);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(await readdir(reportDir)).toEqual([]);
  }, 60_000);

  it('--sweep with its output already closed finishes its sweep and exits 0, with no stack trace', async () => {
    // The reader is gone before the CLI starts (sleep first), so its first line meets a closed pipe.
    // --platform kind: the kind sweep prints between awaits, where the write error surfaced.
    const r = await execa('bash', ['-c', `{ sleep 0.3; "$0" harness/cli.mjs --sweep --platform kind; echo "rc=$?" >&2; } | true`, process.execPath],
      { cwd: root, reject: false, timeout: 60_000 });
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.stderr.trim()).toBe('rc=0');
  }, 60_000);
});
