// Where Redis keeps what it must find again after a restart, and whether the volume can hold it.
import { memoryBytes } from '../manifests/quantity.ts';
import { unquote } from './subject.ts';
import type { Rule, Subject } from './types.ts';
import { approxBytes, finding, redisBytes } from './util.ts';

const where = (s: Subject, p: string) => {
  const { mount } = s.storageOf(p);
  const m = s.redis.container.volumeMounts.find((x) => x.mountPath === mount);
  if (!m) return "in the container's own filesystem";
  const volume = s.redis.statefulSet.template.volumes.find((v) => v.name === m.name);
  return `on ${volume?.kind === 'unsupported' ? volume.description : volume?.kind ?? 'a'} volume "${m.name}" at ${m.mountPath}`;
};

const aofOn = (s: Subject) => unquote(s.config.get('appendonly')?.value ?? 'no').toLowerCase() === 'yes';

export const nodesConfVolume: Rule = {
  id: 'nodes-conf-volume',
  summary: 'nodes.conf (`cluster-config-file`) off the PersistentVolumeClaim',
  check: (s) => {
    const full = s.nodesConf.path;
    if (full === undefined || s.storageOf(full).persistent) return [];
    return [finding('nodes-conf-volume', 'risk', 'delete-pod-0', s.config.get('cluster-config-file')?.at ?? s.configHome,
      `${full} (nodes.conf) is ${where(s, full)}, not on a PersistentVolumeClaim: a re-created pod starts as a new node in no cluster, and the cluster keeps its old id as failed`)];
  },
};

export const aofVolume: Rule = {
  id: 'aof-volume',
  summary: 'the AOF (`dir`) off the PersistentVolumeClaim',
  check: (s) => {
    if (!aofOn(s) || s.dataDir === undefined || s.storageOf(s.dataDir).persistent) return [];
    return [finding('aof-volume', 'risk', 'delete-pod-0', s.config.get('dir')?.at ?? s.config.get('appendonly')!.at,
      `the AOF (dir ${s.dataDir}) is ${where(s, s.dataDir)}, not on a PersistentVolumeClaim: a re-created pod comes back with none of its data, and a master that is back before its replica takes over serves its slots empty`)];
  },
};

export const persistence: Rule = {
  id: 'persistence',
  summary: 'no AOF (`appendonly` off): no persistence at all, or only RDB snapshots',
  check: (s) => {
    if (aofOn(s)) return [];
    const save = s.config.get('save');
    const at = s.config.get('appendonly')?.at ?? s.configHome;
    if (save !== undefined && unquote(save.value).trim() === '') {
      return [finding('persistence', 'risk', 'crash-master', at,
        'no persistence at all (appendonly off, save ""): a master restarted before its replica takes over comes back empty, and its replica then copies the empty data set')];
    }
    return [finding('persistence', 'risk', 'crash-master', at,
      `appendonly is off: only RDB snapshots (save ${save ? save.value : "3600 1 300 100 60 10000, Redis' default"}); a master restarted before its replica takes over comes back without the writes since its last snapshot`)];
  },
};

// How much room a rewrite needs. Redis 7 rewrites the AOF when it has grown to (1 + pct/100) × its
// base (auto-aof-rewrite-percentage, 100 by default, so 2×), and writes the new base, about the data
// set, before it deletes the old files: 3× the data at the peak. With RDB only, a snapshot's temp
// file sits beside the last one: 2×. The data set is bounded by maxmemory, else by the container's
// memory limit; with neither, its size cannot be told from the manifests and the rule stays quiet.
export const volumeHeadroom: Rule = {
  id: 'volume-headroom',
  summary: "a volume request with no room for an AOF rewrite of the data maxmemory (or the memory limit) allows",
  check: (s) => {
    const save = s.config.get('save');
    const rdb = !(save !== undefined && unquote(save.value).trim() === '');
    if (s.dataDir === undefined || (!aofOn(s) && !rdb)) return [];
    const { mount } = s.storageOf(s.dataDir);
    const claimIndex = s.redis.statefulSet.volumeClaimTemplates.findIndex((t) => s.redis.container.volumeMounts.some((m) => m.mountPath === mount && m.name === t.name));
    const claim = s.redis.statefulSet.volumeClaimTemplates[claimIndex];
    if (!claim?.storage) return [];
    const maxmemory = redisBytes(s.config.get('maxmemory')?.value ?? '0') ?? 0;
    const limit = s.redis.container.resources?.limits.memoryBytes;
    const data = maxmemory > 0 ? maxmemory : limit;
    if (data === undefined) return [];
    const pct = Number(s.config.get('auto-aof-rewrite-percentage')?.value ?? 100);
    const factor = aofOn(s) ? 2 + (Number.isFinite(pct) ? pct : 100) / 100 : 2;
    const storage = memoryBytes(claim.storage);
    if (storage >= factor * data) return [];
    const bound = maxmemory > 0 ? `maxmemory ${s.config.get('maxmemory')!.value}` : `limits.memory ${approxBytes(limit!)}`;
    const why = aofOn(s) ? `an AOF rewrite writes a new base beside the old AOF, which may first grow to ${factor - 1}× its base` : 'an RDB snapshot is written beside the last one';
    return [finding('volume-headroom', 'risk', 'disk-full-master', s.at(s.redis.statefulSet.source, ['spec', 'volumeClaimTemplates', claimIndex, 'spec', 'resources', 'requests', 'storage']),
      `requests.storage ${claim.storage} for up to ${approxBytes(data)} of data (${bound}): ${why}, about ${approxBytes(Math.ceil(factor * data))} at the peak; a full volume makes the shard refuse every write (MISCONF)`)];
  },
};

export const persistenceRules: Rule[] = [nodesConfVolume, aofVolume, persistence, volumeHeadroom];
