// A terminal's Ctrl-C reaches every process in the group, scenario workers too. A worker that dies
// of it while still starting crashes vitest ("Worker exited unexpectedly", unhandled, exit 1 with a
// stack and no summary.json: seen once under load in interrupt.test.ts's "during setup"). So the
// scenario workers' signal handlers are preloaded with their first instant (execArgv), not set up
// once vitest has booted them. What that preload does, from the config the CLI runs with.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config.ts';

// A worker's first act here is the signal a Ctrl-C sends it, before anything else has loaded.
const SIGNALLED_AT_ONCE = ['-e', "process.kill(process.pid, 'SIGINT'); process.kill(process.pid, 'SIGTERM'); setTimeout(() => process.stdout.write('alive'), 200)"];

describe('scenario workers and a Ctrl-C', () => {
  const projects = (config.test?.projects ?? []) as { test?: { name?: string; execArgv?: string[] } }[];
  const scenarios = projects.find((p) => p.test?.name === 'scenarios')?.test;

  it('outlive SIGINT and SIGTERM from their first instant, with the scenarios project\'s own execArgv', async () => {
    const execArgv = scenarios?.execArgv ?? [];
    expect(execArgv).toContain('--import');
    const r = await execa(process.execPath, [...execArgv, ...SIGNALLED_AT_ONCE], { reject: false, timeout: 10_000 });
    expect(r.signal).toBeUndefined();
    expect(r.stdout).toBe('alive');
  });

  it('(control) without it, the same process dies of the SIGINT at once', async () => {
    const r = await execa(process.execPath, SIGNALLED_AT_ONCE, { reject: false, timeout: 10_000 });
    expect(r.signal).toBe('SIGINT');
    expect(r.stdout).toBe('');
  });
});
