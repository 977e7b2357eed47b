import { sweepLocal } from '../platform/local/sweeper.ts';
import type { HarnessOptions } from '../session/options.ts';

/** `--sweep`: remove what crashed runs left behind, listing it first. Local runs always; kind clusters with --platform kind. */
export async function sweep(options: HarnessOptions): Promise<number> {
  const local = await sweepLocal({ includeKept: true, orphans: true });
  if (local.runs.length) console.log(`local: removed ${local.runs.length} dead runs (${local.runs.join(', ')}), killed ${local.killed.length} processes`);
  else if (!local.orphans.length) console.log('local: nothing left behind');
  if (local.orphans.length) console.log(`local: killed ${local.orphans.length} processes of runs whose folder is gone (${local.orphans.join(', ')})`);
  if (local.netns.length || local.links.length) console.log(`local: removed ${local.netns.length} network namespaces (${local.netns.join(', ')}) and ${local.links.length} links (${local.links.join(', ')})`);
  if (local.cgroups.length) console.log(`local: removed ${local.cgroups.length} cgroups (${local.cgroups.join(', ')})`);
  if (local.volumes.length) console.log(`local: unmounted and detached ${local.volumes.length} claims' mounts and loop devices (${local.volumes.join(', ')})`);
  if (options.platform === 'kind') {
    const { sweepKindClusters } = await import('../platform/kind/sweeper.ts');
    await sweepKindClusters((line: string) => console.log(line));
  }
  return 0;
}
