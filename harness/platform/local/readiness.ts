import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { signalGroup } from '../../util/process-group.ts';
import type { Probe } from '../../manifests/types.ts';

export interface ProbeTarget {
  host: string;
  /** Resolves a probe's port (a number or a port name) to where the container really listens. */
  port(port: number | string): number;
  env: Record<string, string>;
  cwd: string;
  /** Where an exec probe's argv runs: inside the container (namespaces mode) or on the host, paths rewritten (process mode). */
  wrapExec?: (argv: string[]) => string[];
  /** Where an exec probe's state is kept between its runs (one per container incarnation). */
  cache?: { get(): ProbeState | undefined; set(state: ProbeState): void };
}

/**
 * An exec readiness probe's state, as the kubelet's prober keeps it: the Ready it reports, the
 * last run's result and how many runs in a row gave it.
 */
export interface ProbeState {
  atMs: number;
  ready: boolean;
  last: boolean;
  run: number;
}

/**
 * The kubelet's rule (prober/worker.go): Ready starts false; a passing run makes it true at once
 * (readiness's successThreshold, 1 unless set, the one value supported here), and failing runs make
 * it false only once `failureThreshold` of them come in a row. One exec probe that times out on a
 * starved node does not make a ready pod unready; three in a row do. A result is kept for its
 * period, so runs in a row are at least a period apart.
 */
export function nextProbeState(previous: ProbeState | undefined, result: boolean, failureThreshold: number, atMs: number): ProbeState {
  const run = previous && previous.last === result ? previous.run + 1 : 1;
  const needed = result ? 1 : Math.max(1, failureThreshold);
  return { atMs, last: result, run, ready: run >= needed ? result : (previous?.ready ?? false) };
}

/**
 * A pod is ready when its probe passes (an exec probe, by the kubelet's thresholds when given a
 * cache: nextProbeState); without a probe, when the process is up and the client
 * port accepts a connection (what a Service would route to). Each check is bounded by the probe's
 * own timeoutSeconds.
 */
export async function probeReady(probe: Probe | undefined, target: ProbeTarget, defaultPort: number): Promise<boolean> {
  const timeoutMs = (probe?.timeoutSeconds ?? 1) * 1000;
  if (!probe || probe.tcpSocket) {
    return tcpAccepts(target.host, probe?.tcpSocket ? target.port(probe.tcpSocket.port) : defaultPort, timeoutMs);
  }
  if (probe.httpGet) {
    try {
      const response = await fetch(`http://${target.host}:${target.port(probe.httpGet.port)}${probe.httpGet.path}`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      return response.status >= 200 && response.status < 400;
    } catch {
      return false;
    }
  }
  const command = probe.exec?.command ?? [];
  if (command.length === 0) return false;
  // An exec probe runs a process or two: like the kubelet, run it once per period, not per poll.
  const cached = target.cache?.get();
  if (cached && Date.now() - cached.atMs < Math.max(1, probe.periodSeconds) * 1000) return cached.ready;
  const [file, ...args] = target.wrapExec ? target.wrapExec(command) : command;
  if (!file) return false;
  const passed = (await runBounded(file, args, target.env, target.cwd, timeoutMs)) === 0;
  if (!target.cache) return passed;
  const state = nextProbeState(target.cache.get(), passed, probe.failureThreshold, Date.now());
  target.cache.set(state);
  return state.ready;
}

/**
 * An exec probe's exit code, or null when it ran past its timeout. The probe runs in its own process
 * group with no pipes, and a timeout kills the whole group: a probe's `redis-cli` stuck on a paused
 * server would otherwise outlive its shell and hold the probe open.
 */
function runBounded(file: string, args: string[], env: Record<string, string>, cwd: string, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, cwd, detached: true, stdio: 'ignore' });
    const timer = setTimeout(() => {
      signalGroup(child.pid, 'SIGKILL');
      resolve(null);
    }, timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      // Its children go with it: nothing a probe starts may outlive the probe.
      signalGroup(child.pid, 'SIGKILL');
      resolve(code);
    });
  });
}

export function tcpAccepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
