import { readdir } from 'node:fs/promises';
import { execa } from 'execa';
import { runTag } from '../platform/local/sandbox/names.ts';

/**
 * Test helper: the network namespaces and links (bridges, veths) on this machine named after a
 * run, or after any run whose id starts with `runIdPrefix` (a parallel run's sessions), given
 * their ids in `sessionIds` for the links.
 */
export async function kernelObjectsOf(runIdPrefix: string, sessionIds: string[] = [runIdPrefix]): Promise<string[]> {
  const netns = (await readdir('/run/netns').catch(() => [] as string[])).filter((n) => n.startsWith(`rc-${runIdPrefix}`));
  const tags = sessionIds.map(runTag);
  const { stdout } = await execa('ip', ['-j', 'link', 'show'], { reject: false });
  const links = (JSON.parse(stdout || '[]') as { ifname: string }[]).map((l) => l.ifname).filter((n) => tags.some((t) => n.startsWith(`rc${t}`)));
  return [...netns, ...links];
}

/** Every network namespace and link of any run on this machine (what `rc-`/`rc<tag>` names). */
export async function anyKernelObjects(): Promise<string[]> {
  const netns = (await readdir('/run/netns').catch(() => [] as string[])).filter((n) => n.startsWith('rc-'));
  const { stdout } = await execa('ip', ['-j', 'link', 'show'], { reject: false });
  const links = (JSON.parse(stdout || '[]') as { ifname: string }[]).map((l) => l.ifname).filter((n) => /^rc[0-9a-f]{10}\d*$/.test(n));
  return [...netns, ...links];
}
