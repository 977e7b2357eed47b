/** `[mm:ss.s] name: message` lines, so a person watching sees what happens during long waits. */
export function progressLine(startedAt: number, name: string, message: string, now = Date.now()): string {
  const s = (now - startedAt) / 1000;
  const mm = String(Math.floor(s / 60)).padStart(2, '0');
  const ss = (s % 60).toFixed(1).padStart(4, '0');
  return `[${mm}:${ss}] ${name}: ${message}`;
}
