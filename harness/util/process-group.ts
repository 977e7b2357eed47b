/**
 * Sends `signal` to the process group led by `pid` (a child spawned with `detached: true`), so it
 * reaches everything the child started and nothing else. A group already gone is no error.
 */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}
