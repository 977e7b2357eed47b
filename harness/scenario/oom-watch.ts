import type { OomKill } from '../checkers/index.ts';
import type { PodStatus, RunningPlatform } from '../platform/types.ts';
import { sleep } from '../util/wait.ts';
import type { Clock } from '../workload/clock.ts';

export interface RunningOomWatch {
  readonly kills: OomKill[];
  /** One last look, then stop: kills of the final seconds are not missed. */
  stop(): Promise<void>;
}

/**
 * Watches the pods' statuses for OOM kills while a scenario runs (only where the manifests set a
 * memory limit: elsewhere it costs nothing). A pod's count lives as long as its incarnation, so a
 * deleted pod's kills are taken before it goes, up to one interval late. Where the platform counts
 * no kills (Kubernetes), a restart whose last termination is OOMKilled is one.
 */
export function startOomWatch(platform: RunningPlatform, clock: Clock, { intervalMs = 250, signal, onKill }: {
  intervalMs?: number; signal?: AbortSignal; onKill?: (kill: OomKill) => void;
} = {}): RunningOomWatch {
  const kills: OomKill[] = [];
  const seen = new Map<string, PodStatus>();
  let stopped = false;
  let baseline = true;
  const look = async () => {
    const pods = await platform.pods().catch(() => null);
    if (pods && baseline) {
      // What earlier scenarios on this cluster left in the counts is theirs, not this run's.
      for (const p of pods) seen.set(p.name, p);
      baseline = false;
      return;
    }
    for (const p of pods ?? []) {
      const before = seen.get(p.name);
      const same = before?.incarnation === p.incarnation;
      const restarted = p.restarts > (same ? before!.restarts : 0);
      const mainKilled = restarted && p.lastTermination === 'OOMKilled';
      const counted = p.oomKills === undefined ? (mainKilled ? 1 : 0) : p.oomKills - (same ? (before!.oomKills ?? 0) : 0);
      for (let i = 0; i < counted; i++) {
        const kill = { pod: p.name, atMs: Math.round(clock.nowMs()), mainProcess: mainKilled && i === counted - 1 };
        kills.push(kill);
        onKill?.(kill);
      }
      // The kernel counts a kill before the container's exit is seen, and the restart comes after
      // the back-off (10 s from the second crash on): a kill first taken for a forked child's is
      // redis-server's once the container restarts with OOMKilled.
      if (mainKilled && counted === 0) {
        const earlier = [...kills].reverse().find((k) => k.pod === p.name && !k.mainProcess);
        if (earlier) {
          earlier.mainProcess = true;
          onKill?.(earlier);
        }
      }
      seen.set(p.name, p);
    }
  };
  const loop = (async () => {
    while (!stopped && !signal?.aborted) {
      await look();
      await sleep(intervalMs, signal).catch(() => undefined);
    }
  })();
  return {
    kills,
    async stop() {
      stopped = true;
      await loop;
      await look();
    },
  };
}
