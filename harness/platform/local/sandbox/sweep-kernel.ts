import { readdir } from 'node:fs/promises';
import { execa } from 'execa';
import { NETNS_PREFIX, runOfNetns, runTag, tagOfLink } from './names.ts';

/**
 * The kernel objects of dead namespaces-mode runs: network namespaces (`rc-<runId>-<pod>-<n>`),
 * whose processes are killed first, and bridges and veths (`rc<tag>…`). An object is matched to a
 * run by its name only. One that names no run this machine has a record of is removed only when
 * nothing runs in it: it may belong to a run kept under another runs folder.
 */
export async function sweepKernelObjects(listRuns: () => Promise<string[]>, dead: (runId: string) => boolean): Promise<{ netns: string[]; links: string[]; killed: number[] }> {
  const out = { netns: [] as string[], links: [] as string[], killed: [] as number[] };
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return out;
  const names = (await readdir('/run/netns').catch(() => [] as string[])).filter((n) => n.startsWith(NETNS_PREFIX));
  const links = await execa('ip', ['-j', 'link', 'show'], { reject: false, timeout: 10_000 });
  // The runs are listed after the objects: a run creates its folder before its network, so any
  // object seen above belongs to a run listed here, even one that started a moment ago.
  const knownRuns = await listRuns();
  for (const name of names) {
    const owner = runOfNetns(name, knownRuns);
    const pids = await netnsPids(name);
    if (owner ? !dead(owner) : pids.length > 0) continue;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        out.killed.push(pid);
      } catch {
        // already gone
      }
    }
    await execa('ip', ['netns', 'del', name], { reject: false, timeout: 10_000 });
    out.netns.push(name);
  }
  const tags = new Map(knownRuns.map((id) => [runTag(id), id]));
  const parsed = links.exitCode === 0 ? (JSON.parse(links.stdout || '[]') as { ifname: string; master?: string }[]) : [];
  for (const link of parsed) {
    const tag = tagOfLink(link.ifname);
    if (!tag) continue;
    const owner = tags.get(tag);
    const idle = !parsed.some((l) => l.master === link.ifname);
    if (owner ? !dead(owner) : !idle) continue;
    await execa('ip', ['link', 'del', link.ifname], { reject: false, timeout: 10_000 });
    out.links.push(link.ifname);
  }
  return out;
}

/** The PIDs whose network namespace is the named one (what `ip netns pids` prints). */
async function netnsPids(name: string): Promise<number[]> {
  const result = await execa('ip', ['netns', 'pids', name], { reject: false, timeout: 10_000 });
  return result.stdout.split('\n').filter((l) => /^\d+$/.test(l.trim())).map(Number);
}
