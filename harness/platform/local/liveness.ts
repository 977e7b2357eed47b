import { openSync, closeSync, writeSync } from 'node:fs';
import type { Probe } from '../../manifests/types.ts';
import type { LocalContainer } from './container.ts';
import { probeReady, type ProbeTarget } from './readiness.ts';

export interface LivenessSubject {
  container: LocalContainer;
  probe: Probe;
  /** Where the probe reaches this container now (its IP changes with the pod's incarnation). */
  target(): ProbeTarget | null;
  defaultPort: number;
}

/**
 * The kubelet's liveness probes: each container's probe every `periodSeconds` once
 * `initialDelaySeconds` have passed since it started; `failureThreshold` failures in a row and the
 * container is killed, for its restart policy to bring it back. One tick a second drives them all.
 */
export class LivenessProbes {
  private timer: NodeJS.Timeout | null = null;
  private readonly state = new WeakMap<LocalContainer, { startedAt: number; lastMs: number; failures: number; running: boolean }>();

  constructor(private readonly subjects: () => LivenessSubject[]) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    for (const s of this.subjects()) {
      const c = s.container;
      // A held container is probed too: on Kubernetes it is a frozen process the kubelet keeps
      // probing, and kills and restarts once the probe has failed enough (the hold ends early).
      const since = c.isHeld ? c.heldStartedAtMs : c.startedAtMs;
      if ((c.state !== 'running' && !c.isHeld) || since === 0) continue;
      let st = this.state.get(c);
      if (!st || st.startedAt !== since) this.state.set(c, (st = { startedAt: since, lastMs: 0, failures: 0, running: false }));
      if (st.running || now - since < s.probe.initialDelaySeconds * 1000 || now - st.lastMs < Math.max(1, s.probe.periodSeconds) * 1000) continue;
      const target = s.target();
      if (!target) continue;
      st.running = true;
      st.lastMs = now;
      const alive = await probeReady(s.probe, target, s.defaultPort).catch(() => false);
      st.running = false;
      if (st.startedAt !== (c.isHeld ? c.heldStartedAtMs : c.startedAtMs)) continue; // restarted or released meanwhile
      st.failures = alive ? 0 : st.failures + 1;
      if (st.failures >= Math.max(1, s.probe.failureThreshold)) {
        st.failures = 0;
        const fd = openSync(c.spec.logFile, 'a');
        writeSync(fd, `=== redis-chaos: liveness probe failed ${s.probe.failureThreshold} times in a row: killing the container, as the kubelet does${c.isHeld ? ' (it was held down: the kubelet restarts it, ending the hold)' : ''}\n`);
        closeSync(fd);
        if (c.isHeld) c.release();
        else c.signal('SIGKILL');
      }
    }
  }
}
