const clock = (ms: number) => {
  const s = Math.max(0, ms) / 1000;
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${(s % 60).toFixed(1).padStart(4, '0')}`;
};

/** `[mm:ss.s] name: message` on the run's clock, so a person watching sees what happens during long waits. */
export function progressLine(startedAt: number, name: string, message: string, now = Date.now()): string {
  return `[${clock(now - startedAt)}] ${name}: ${message}`;
}

/**
 * A scenario's line without a clock of its own: `name (+mm:ss.s): message`. The run's process
 * prefixes its clock (runLine), so that parallel scenarios' lines share one clock, each with its
 * own elapsed time beside it.
 */
export function scenarioLine(startedAt: number, name: string, message: string, now = Date.now()): string {
  return `${name} (+${clock(now - startedAt)}): ${message}`;
}

/** `[mm:ss.s] line` on the run's clock. */
export function runLine(startedAt: number, line: string, now = Date.now()): string {
  return `[${clock(now - startedAt)}] ${line}`;
}
