// The kubelet's liveness probe on a held container: on Kubernetes a held (SIGSTOPped) container is
// still probed, and once the probe has failed failureThreshold times the kubelet kills and restarts
// it, ending the hold. The local platform does the same with its held (stopped) container.
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotYet, waitUntil } from '../../util/wait.ts';
import { LocalContainer } from './container.ts';
import { LivenessProbes } from './liveness.ts';
import { probeReady } from './readiness.ts';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('liveness probes on the local platform', () => {
  it('a held container is probed, and a failing probe restarts it, ending the hold, as the kubelet does', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'liveness-test-'));
    const port = await freePort();
    const listen = `import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1',${port})); s.listen(); time.sleep(60)`;
    const c = new LocalContainer({
      name: 'redis', argv: ['python3', '-c', listen], env: { PATH: process.env.PATH ?? '' }, cwd: dir, logFile: path.join(dir, 'log'),
      restartPolicy: 'Always', backoff: { initialMs: 300, maxMs: 600, resetAfterMs: 60_000 },
    });
    c.start();
    const probe = { tcpSocket: { port }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 2 };
    const probes = new LivenessProbes(() => [{ container: c, probe, defaultPort: port, target: () => ({ host: '127.0.0.1', port: () => port, env: {}, cwd: dir }) }]);
    probes.start();
    try {
      await waitUntil('listening', async () => { if (!(await probeReady(probe, { host: '127.0.0.1', port: () => port, env: {}, cwd: dir }, port))) throw new NotYet('not yet'); }, { timeoutMs: 5000, intervalMs: 50 });
      await c.hold();
      expect(c.isHeld).toBe(true);
      // Two failed probes a second apart, then the restart: well within 10 s.
      await waitUntil('the probe ends the hold', async () => { if (c.isHeld || c.state !== 'running') throw new NotYet(c.state); }, { timeoutMs: 10_000, intervalMs: 50 });
      expect(c.restarts).toBe(1);
      expect(await readFile(c.spec.logFile, 'utf8')).toMatch(/liveness probe failed 2 times in a row: .*it was held down: the kubelet restarts it, ending the hold/);
    } finally {
      probes.stop();
      await c.stop(100);
    }
  });
});
