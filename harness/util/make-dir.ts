import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, HarnessError } from '../errors.ts';

/**
 * `mkdir -p` that always ends. Node's own recursive mkdir (sync and promise, Node 18 to 22) spins
 * forever, at 100% of a core, where a parent exists but cannot hold the child: under /proc (procfs
 * answers ENOENT, so Node makes the parent, gets EEXIST, and tries the child again), or through a
 * symlink to nothing. `--report-dir /proc/x` hung the CLI that way, deaf to Ctrl-C, whose handler
 * never ran (seen with strace; also Kewton/CommandMate#1774). Here each level is made once, and the
 * first error is final.
 *
 * Returns the first folder it made, as mkdir's `recursive` does (undefined if it made none), so
 * that a caller can take back what it made.
 */
export function makeDirSync(dir: string): string | undefined {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    const kind = kindOf(at);
    if (kind === 'dir') break;
    if (kind === 'other') throw Object.assign(new Error(`ENOTDIR: not a folder, mkdir '${at}'`), { code: 'ENOTDIR' });
    const parent = path.dirname(at);
    // The root always exists; a path no level of which exists cannot be made.
    if (parent === at) throw Object.assign(new Error(`ENOENT: no such file or directory, mkdir '${at}'`), { code: 'ENOENT' });
    missing.unshift(at);
    at = parent;
  }
  let first: string | undefined;
  for (const level of missing) {
    try {
      mkdirSync(level);
      first ??= level;
    } catch (error) {
      // Made by someone else meanwhile is as good; anything else (a dangling symlink's EEXIST, procfs' ENOENT) is final.
      if (!((error as NodeJS.ErrnoException).code === 'EEXIST' && kindOf(level) === 'dir')) throw error;
    }
  }
  return first;
}

function kindOf(p: string): 'dir' | 'other' | 'none' {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'none';
    if (code === 'ENOTDIR') return 'other';
    throw error;
  }
}

/** makeDirSync for a folder a flag names: its failure is one line naming the flag, exit 2. */
export function makeFlagDir(dir: string, flag: string): string | undefined {
  try {
    return makeDirSync(dir);
  } catch (error) {
    throw new HarnessError(`${flag}: cannot make ${dir} (${errorMessage(error)})`);
  }
}
