// Global setup of the `unit` and `k8s` projects: every temporary folder a test makes (mkdtemp under
// os.tmpdir(): reports, manifests, kubeconfigs, Chromium's profile) goes into one folder for this
// test run, removed at the end, so `npm test` leaves nothing in /tmp even when a test forgets to
// clean up after itself or fails before it could. Workers and the CLIs tests start inherit TMPDIR.
// The local platform's run folders stay where the sweeper looks for them (REDIS_CHAOS_RUNS_DIR is
// pinned to the usual place), so a run a crash leaves behind is still found by its run id.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'redis-chaos-tests-';

/** A previous test run's folder whose owner (the pid in its name) is gone: a crash or a SIGKILL. */
function orphaned(root: string): string[] {
  return readdirSync(root).filter((name) => {
    const pid = Number(/^redis-chaos-tests-(\d+)-/.exec(name)?.[1]);
    if (!pid) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  });
}

export default function setup(): () => void {
  const root = os.tmpdir();
  process.env.REDIS_CHAOS_RUNS_DIR ??= path.join(root, 'redis-chaos-runs');
  for (const name of orphaned(root)) rmSync(path.join(root, name), { recursive: true, force: true });
  const dir = mkdtempSync(path.join(root, `${PREFIX}${process.pid}-`));
  process.env.TMPDIR = dir;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    process.env.TMPDIR = root;
    rmSync(dir, { recursive: true, force: true });
  };
}
