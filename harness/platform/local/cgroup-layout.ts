import { access, constants, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../../errors.ts';

// What this machine offers for a container's limits, read before any run asks for one.

/** Where this machine's kernel has its memory and cpu controllers. */
export type CgroupLayout =
  | { version: 1; memory: string; cpu: string | null }
  | { version: 2; root: string };

interface Mount {
  point: string;
  root: string;
  fstype: string;
  options: string[];
}

/** /proc/self/mountinfo's cgroup mounts; mount points have spaces escaped as \040. */
function cgroupMounts(mountinfo: string): Mount[] {
  const unescape = (s: string) => s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return mountinfo.split('\n').flatMap((line) => {
    const [left, right] = line.split(' - ');
    if (!left || !right) return [];
    const fields = left.split(' ');
    const [fstype, , superOptions = ''] = right.split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') return [];
    return [{ point: unescape(fields[4] ?? ''), root: unescape(fields[3] ?? ''), fstype, options: superOptions.split(',') }];
  });
}

/**
 * The layout, or why limits cannot be enforced here, in words for a one-line error. Where both
 * exist (hybrid), the v1 memory hierarchy wins: a controller bound to v1 is absent from v2.
 */
export async function cgroupLayout(mountinfo?: string): Promise<CgroupLayout | string> {
  if (process.platform !== 'linux') return `${process.platform} has no cgroups`;
  const mounts = cgroupMounts(mountinfo ?? (await readFile('/proc/self/mountinfo', 'utf8').catch(() => '')));
  // A hierarchy mounted from a sub-cgroup (a container's view) is not one this harness can manage.
  const v1 = (controller: string) => mounts.find((m) => m.fstype === 'cgroup' && m.root === '/' && m.options.includes(controller))?.point ?? null;
  let layout: CgroupLayout | null = null;
  const memory = v1('memory');
  if (memory) layout = { version: 1, memory, cpu: v1('cpu') };
  else {
    for (const m of mounts.filter((x) => x.fstype === 'cgroup2')) {
      const controllers = await readFile(path.join(m.point, 'cgroup.controllers'), 'utf8').catch(() => '');
      if (controllers.split(/\s+/).includes('memory')) {
        layout = { version: 2, root: m.point };
        break;
      }
    }
  }
  if (!layout) return 'no cgroup memory controller is mounted (neither v1 nor v2)';
  const dir = layout.version === 1 ? layout.memory : layout.root;
  if (process.getuid?.() !== 0) return 'not running as root (a cgroup of its own needs root)';
  if (!(await access(dir, constants.W_OK).then(() => true, () => false))) return `${dir} is not writable`;
  return layout;
}

/** For `up()`: the layout, or a one-line refusal naming why limits cannot be enforced here. */
export async function requireCgroups(what: string): Promise<CgroupLayout> {
  const layout = await cgroupLayout();
  if (typeof layout === 'string') throw new HarnessError(`${what}: cannot be enforced here: ${layout}`);
  return layout;
}

/** Whether a cgroup folder exists (tests, sweeper checks). */
export const cgroupExists = (dir: string) => stat(dir).then(() => true, () => false);
