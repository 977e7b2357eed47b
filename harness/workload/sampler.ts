import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { coverage, masterOfSlot, selfEntries, slotClaims, snapshot, type Topology } from '../cluster/index.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { sleep } from '../util/wait.ts';
import type { Clock } from './clock.ts';

/** What the checkers keep of each topology sample; the full sample goes to topology.jsonl. */
export interface SampleSummary {
  tMs: number;
  /** Slots claimed by exactly one reachable master. */
  covered: number;
  contested: number;
  /** Every reachable node says cluster_state:ok. */
  allOk: boolean;
  /**
   * Every reachable master that holds slots says cluster_state:ok: the cluster serves. A node
   * back from a deletion may say fail for seconds after it has rejoined as a replica, while its
   * successor already serves; absent in samples recorded before this field.
   */
  mastersOk?: boolean;
  reachable: number;
  /** Reachable masters that hold slots. */
  mastersUp: number;
  /** Node id and pod of the master serving the counter key's slot, if exactly one does. */
  counterOwner: string | null;
  counterOwnerPod: string | null;
  /** Owner node id of each watched slot (the first slot of every master at the start). */
  owners: Record<number, string | null>;
  /**
   * Every reachable master that claims each watched slot. While a master is cut off it still
   * claims its slots, so `owners` shows nobody; a replica that claims them has won its election.
   */
  claimants?: Record<number, string[]>;
  /** The highest cluster_current_epoch any reachable node reports: a failover raises it. */
  epoch?: number;
  /**
   * Each reachable node's id: false for a replica whose own INFO says its link to the master is not
   * up or a sync is in progress (it has no data to fail over with), true otherwise. A node not
   * reached is absent. Absent in samples recorded before it.
   */
  linked?: Record<string, boolean>;
}

export function summarize(t: Topology, tMs: number, counterSlot: number, watchSlots: number[] = []): SampleSummary {
  // One claims table per sample (16384 entries), shared by coverage and every owner lookup.
  const claims = slotClaims(t);
  const cov = coverage(t, claims);
  const owner = masterOfSlot(t, counterSlot, claims);
  const owners: Record<number, string | null> = {};
  const claimants: Record<number, string[]> = {};
  for (const slot of watchSlots) {
    owners[slot] = masterOfSlot(t, slot, claims)?.nodeId ?? null;
    claimants[slot] = [...claims[slot]!];
  }
  const reachable = t.views.filter((v) => v.reachable);
  const selves = selfEntries(t);
  const serving = selves.filter((e) => e.self.role === 'master' && e.self.slots.length > 0);
  return {
    tMs,
    covered: cov.covered,
    contested: cov.contested.reduce((n, c) => n + (c.slots[1] - c.slots[0] + 1), 0),
    allOk: reachable.length > 0 && reachable.every((v) => v.info?.cluster_state === 'ok'),
    mastersOk: serving.length > 0 && serving.every((e) => e.view.info?.cluster_state === 'ok'),
    reachable: reachable.length,
    mastersUp: serving.length,
    counterOwner: owner?.nodeId ?? null,
    counterOwnerPod: owner?.pod ?? null,
    owners,
    claimants,
    epoch: reachable.reduce((m, v) => Math.max(m, Number(v.info?.cluster_current_epoch ?? 0)), 0),
    linked: Object.fromEntries(selves.map((e) => [e.self.id,
      e.self.role !== 'replica' || (e.view.replication?.master_link_status === 'up' && (e.view.replication?.master_sync_in_progress ?? '0') === '0')])),
  };
}

/** What `summarize` needs besides each topology: kept with the run, so its samples can be rebuilt from topology.jsonl. */
export interface SamplingSettings {
  counterSlot: number;
  watchSlots: number[];
}

/**
 * One line of topology.jsonl. `tMs` at full precision: a re-check rebuilds the samples from these
 * lines, and a sample rounded to the millisecond could land on the other side of a fault's `atMs`.
 */
export const sampleLine = (t: Topology, tMs: number): string => `${JSON.stringify({ tMs, ...t })}\n`;

/** A line of topology.jsonl back into the sample the checkers saw during the run. */
export function sampleFromLine(line: string, { counterSlot, watchSlots }: SamplingSettings): SampleSummary {
  const { tMs, ...t } = JSON.parse(line) as Topology & { tMs: number };
  return summarize(t, tMs, counterSlot, watchSlots);
}

export interface RunningSampler {
  readonly samples: SampleSummary[];
  readonly settings: SamplingSettings;
  /** Why sampling ended before `stop()` (its maxDurationMs), or null. */
  readonly stoppedEarly: string | null;
  /**
   * Cuts the wait before the next sample short, so that a sample starts now (or as soon as the one
   * being taken ends): for a wait on a sample of the cluster as it is, which need not sit out the
   * rest of an interval.
   */
  sampleNow(): void;
  stop(): Promise<void>;
}

/** Samples every node's view every `intervalMs` (bounded in time) into topology.jsonl. */
export function startSampler(
  platform: RunningPlatform,
  clock: Clock,
  { file, counterSlot, watchSlots = [], intervalMs = 250, maxDurationMs = 600_000 }: {
    file: string | null; counterSlot: number; watchSlots?: number[]; intervalMs?: number; maxDurationMs?: number;
  },
): RunningSampler {
  const out = file ? createWriteStream(file, { flags: 'a' }) : null;
  const stopper = new AbortController();
  // Aborted by sampleNow() and by the end: the current wait between samples, or the next one, ends at once.
  let wake = new AbortController();
  const end = () => {
    stopper.abort();
    wake.abort();
  };
  let stoppedEarly: string | null = null;
  const deadline = setTimeout(() => {
    stoppedEarly = `the topology sampler reached its ${maxDurationMs / 1000} s bound (maxDurationMs) and stopped`;
    end();
  }, maxDurationMs);
  const samples: SampleSummary[] = [];
  const loop = (async () => {
    while (!stopper.signal.aborted) {
      const started = Date.now();
      const tMs = clock.nowMs();
      // A node held with SIGSTOP answers nothing: bound each sample by the interval.
      const t = await snapshot(platform, { timeoutMs: Math.max(200, intervalMs) }).catch(() => null);
      if (t) {
        samples.push(summarize(t, tMs, counterSlot, watchSlots));
        out?.write(sampleLine(t, tMs));
      }
      if (!wake.signal.aborted) await sleep(Math.max(0, intervalMs - (Date.now() - started)), wake.signal).catch(() => undefined);
      if (wake.signal.aborted && !stopper.signal.aborted) wake = new AbortController();
    }
  })();
  return {
    samples,
    settings: { counterSlot, watchSlots },
    get stoppedEarly() {
      return stoppedEarly;
    },
    sampleNow() {
      wake.abort();
    },
    async stop() {
      end();
      clearTimeout(deadline);
      await loop;
      if (out) {
        out.end();
        await once(out, 'close');
      }
    },
  };
}
