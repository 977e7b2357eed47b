import { execa } from 'execa';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const demo = path.resolve(import.meta.dirname, '../testing/fixtures/demo-command.ts');
const plant = path.resolve(import.meta.dirname, '../testing/fixtures/plant-error.mjs');

// A real process per case: the demo command (testing/fixtures) runs through runCommand, and a
// preloaded module plants the error nothing awaits.
const runDemo = (outcome: string, env: Record<string, string> = {}, preload: string[] = []) =>
  execa(process.execPath, ['--import', 'tsx', ...preload.flatMap((p) => ['--import', p]), demo, outcome], { reject: false, timeout: 30_000, env: { ...env } });

describe('runCommand', () => {
  it("ends with main's code", async () => {
    expect((await runDemo('1')).exitCode).toBe(1);
    expect((await runDemo('0')).exitCode).toBe(0);
  });

  it('a HarnessError: one line naming the command, exit 2, no stack', async () => {
    const r = await runDemo('harness-error');
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('redis-chaos demo: --flag: a bad value');
  });

  it('any other error: an internal error with its stack, exit 2', async () => {
    const r = await runDemo('bug');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^redis-chaos demo: internal error: a bug\n.*\n\s+at /s);
  });

  it('the control: the same planted error in a process without it exits 1', async () => {
    const r = await execa(process.execPath, ['--import', plant, '-e', 'setTimeout(() => undefined, 5000)'], { reject: false, timeout: 30_000, env: { PLANT: 'reject', PLANT_AT_MS: '200' } });
    expect(r.exitCode).toBe(1);
  });

  for (const [kind, what] of [['reject', 'unhandled rejection'], ['throw', 'uncaught exception']] as const) {
    it(`an ${what} while main still runs: an internal error, exit 2 (Node alone exits 1, a verdict's code)`, async () => {
      const r = await runDemo('slow', { PLANT: kind, PLANT_AT_MS: 'command-listens' }, [plant]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(`redis-chaos demo: internal error: planted ${kind === 'throw' ? 'exception' : 'rejection'}`);
    });
  }
});
