/**
 * The local platform's one documented liberty: a container's mount paths (/conf, /data) become
 * the pod's folders on this machine, in argv, env values and the text of ConfigMap files
 * mounted into that pod. A path is replaced only as a whole path segment, so /data does not
 * touch /database or /var/data.
 */
export type MountMap = { mountPath: string; hostPath: string }[];

export function translatePaths(text: string, mounts: MountMap): string {
  let out = text;
  // Longest first, so /data/logs wins over /data when both are mounts.
  for (const { mountPath, hostPath } of [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length)) {
    const escaped = mountPath.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(?<![\\w./-])${escaped}(?=/|$|[^\\w.-])`, 'gm');
    out = out.replace(pattern, () => hostPath);
  }
  return out;
}
