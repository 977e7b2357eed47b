import type { ScenarioResult } from '../scenario/result.ts';

/**
 * The scenarios of an interrupted run as the summary states them. A scenario cut short says by
 * which signal (its worker learns of the interruption from vitest's cancel, not which signal it
 * was). A scenario whose start failed after the signal failed because of it: its session was
 * aborted, or the bridge to it closed, and its worker may have recorded that as an error before
 * vitest's cancel reached it (CI, 2026-12-05, under load). It is interrupted, its error kept as the
 * reason. A start that failed before the signal stays an error.
 */
export function asInterrupted(recorded: ScenarioResult[], signal: NodeJS.Signals | null, signalAtMs: number | null): ScenarioResult[] {
  return recorded.map((s) => {
    if (s.status === 'interrupted' && s.partial) return { ...s, error: `interrupted by ${signal ?? 'a signal'} during the scenario` };
    const startFailedAfter = signal && signalAtMs !== null && s.status === 'error' && s.durationMs === 0 && Date.parse(s.startedAt) >= signalAtMs;
    return startFailedAfter ? { ...s, status: 'interrupted', error: `interrupted by ${signal} before it ran (its start: ${s.error ?? 'failed'})` } : s;
  });
}
