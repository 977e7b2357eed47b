import { faultEndMs, isEnding, type FaultRecord, type RunEvidence } from './types.ts';

/**
 * When fewer than a majority of masters served: from the samples (a master unreachable or without
 * slots), and from the faults themselves (masters being deleted or held down at the same time),
 * since a 250 ms sampler can miss a pod that is re-created within 200 ms.
 */
export function majorityLostWindows(samples: RunEvidence['samples'], faults: FaultRecord[], masters: number): { fromMs: number; toMs: number; seenBy: string }[] {
  const majority = Math.floor(masters / 2) + 1;
  const out: { fromMs: number; toMs: number; seenBy: string }[] = [];
  let open: { fromMs: number; toMs: number; seenBy: string } | null = null;
  for (const s of samples) {
    if (s.mastersUp < majority && !open) open = { fromMs: Math.round(s.tMs), toMs: Math.round(s.tMs), seenBy: 'topology samples' };
    else if (s.mastersUp >= majority && open) {
      open.toMs = Math.round(s.tMs);
      out.push(open);
      open = null;
    }
  }
  if (open) out.push({ ...open, toMs: Math.round(samples.at(-1)!.tMs) });
  // Fault intervals on masters: deletions last until the pod is re-created, kills until the restart.
  const down = faults.filter((f) => f.role === 'master' && !isEnding(f) && f.kind !== 'crash' && f.kind !== 'delay' && f.kind !== 'loss').map((f) => ({ from: f.atMs, to: faultEndMs(f, faults) }));
  const edges = down.flatMap((d) => [[d.from, 1], [d.to, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let count = 0;
  let since = 0;
  for (const [t, delta] of edges) {
    const before = masters - count >= majority;
    count += delta;
    const after = masters - count >= majority;
    if (before && !after) since = t;
    if (!before && after && t > since) out.push({ fromMs: Math.round(since), toMs: Math.round(t), seenBy: 'fault records' });
  }
  return out.sort((a, b) => a.fromMs - b.fromMs);
}
