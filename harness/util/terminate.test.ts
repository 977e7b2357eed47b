import { execa } from 'execa';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleep } from './wait.ts';

const fixture = path.join(import.meta.dirname, 'fixtures', 'owned-signals.ts');

describe('signals owned by the CLI', () => {
  it('treat copies within a second as the same press, and a later press as the second: exit at once', async () => {
    const child = execa(process.execPath, ['--import', 'tsx', fixture], { reject: false, timeout: 30_000, buffer: true });
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    child.kill('SIGINT');
    await sleep(50);
    child.kill('SIGINT'); // what npm or tsx forwards
    await sleep(500);
    expect(child.exitCode).toBeNull(); // still stopping in order
    await sleep(700);
    child.kill('SIGINT'); // the user's second press
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stdout.match(/orderly stop started/g)).toHaveLength(1);
    expect(r.stderr).toContain('SIGINT again: exiting now');
  });
});
