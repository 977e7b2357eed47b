import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalContainer, type ContainerSpec } from './container.ts';
import { NotYet, sleep, waitUntil } from '../../util/wait.ts';

async function spec(script: string, restartPolicy: ContainerSpec['restartPolicy'] = 'Always'): Promise<ContainerSpec> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'container-test-'));
  return {
    name: 'c', argv: ['sh', '-c', script], env: { PATH: process.env.PATH ?? '' }, cwd: dir, logFile: path.join(dir, 'log'),
    restartPolicy, backoff: { initialMs: 300, maxMs: 600, resetAfterMs: 60_000 },
  };
}

describe('a local container', () => {
  it('restarts a crashing process the way the kubelet backs off: at once, then initial, doubling to the cap', async () => {
    const c = new LocalContainer(await spec('echo started; exit 1'));
    const started = Date.now();
    c.start();
    // Four runs of the process: the first start and three restarts.
    await waitUntil('4 starts', async () => {
      const starts = (await readFile(c.spec.logFile, 'utf8')).match(/^started$/gm)?.length ?? 0;
      if (starts < 4) throw new NotYet(`${starts} starts`);
    }, { timeoutMs: 5000, intervalMs: 10 });
    // 0 + 300 + 600 ms of back-off before the third restart.
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
    expect(c.restarts).toBeGreaterThanOrEqual(3);
    await c.stop(100);
  });

  it('does not restart under restartPolicy Never, nor OnFailure after a clean exit', async () => {
    for (const [policy, script] of [['Never', 'exit 1'], ['OnFailure', 'exit 0']] as const) {
      const c = new LocalContainer(await spec(script, policy));
      c.start();
      await c.waitForExit(2000);
      await sleep(100);
      expect([c.state, c.restarts]).toEqual(['terminated', 0]);
    }
  });

  it('hold keeps the process down until release', async () => {
    const c = new LocalContainer(await spec('sleep 30'));
    c.start();
    const firstPid = c.pid;
    await c.hold();
    await sleep(200);
    expect([c.state, c.pid, c.isHeld]).toEqual(['terminated', null, true]);
    c.release();
    await waitUntil('running again', async () => { if (c.state !== 'running') throw new NotYet(c.state); }, { timeoutMs: 1000, intervalMs: 5 });
    expect(c.pid).not.toBe(firstPid);
    await c.stop(100);
  });

  it("counts a hold as a crash in the restart back-off, as the kubelet counts the restart's SIGKILL", async () => {
    const c = new LocalContainer(await spec('sleep 30'));
    c.start();
    const backAfterRelease = async () => {
      await c.hold();
      const released = Date.now();
      c.release();
      await waitUntil('running again', async () => { if (c.state !== 'running') throw new NotYet(c.state); }, { timeoutMs: 3000, intervalMs: 5 });
      return Date.now() - released;
    };
    expect(await backAfterRelease()).toBeLessThan(250); // the first crash: at once
    expect(await backAfterRelease()).toBeGreaterThanOrEqual(290); // the second: the initial back-off (300 ms)
    expect(c.restarts).toBe(2);
    await c.stop(100);
  });

  it('stop sends SIGTERM, then SIGKILL after the grace period', async () => {
    const c = new LocalContainer(await spec("trap 'echo got TERM' TERM; while true; do sleep 0.05; done"));
    c.start();
    await sleep(200);
    const started = Date.now();
    await c.stop(400);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(c.state).toBe('terminated');
    expect(await readFile(c.spec.logFile, 'utf8')).toContain('got TERM');
  });
});
