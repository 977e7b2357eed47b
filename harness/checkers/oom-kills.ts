import { formatBytes } from '../manifests/quantity.ts';
import { counterChecker } from './counter.ts';
import { checker, type OomKill } from './types.ts';

const describe = (k: OomKill) => `${k.pod} at ${(k.atMs / 1000).toFixed(1)} s (${k.mainProcess ? 'redis-server itself: the container restarted, exit 137 OOMKilled' : 'a forked child: redis-server survived'})`;

/**
 * Every OOM kill is reported. The run passes when there was none, or when each was survived: the
 * cluster recovered and no acknowledged write was lost. A loss in a run with an OOM kill fails
 * here, naming the kill, whatever the counter checker also says.
 */
export const oomKillsChecker = checker((e) => {
  const memory = e.memory;
  if (!memory) return { valid: true, message: 'no memory limit in the manifests: nothing to watch', details: { applicable: false } };
  const limit = formatBytes(memory.limitBytes);
  const details = { applicable: true, limitBytes: memory.limitBytes, oomKills: memory.oomKills };
  if (memory.oomKills.length === 0) return { valid: true, message: `no OOM kill under the ${limit} memory limit`, details };
  const kills = `${memory.oomKills.length} OOM kill${memory.oomKills.length > 1 ? 's' : ''} under the ${limit} limit: ${memory.oomKills.map(describe).join('; ')}`;
  const counter = counterChecker(e);
  const lost = counter.details.lostAcknowledged;
  if (lost === null || lost === undefined) return { valid: 'unknown', message: `${kills}; whether an acknowledged write was lost is unknown: ${counter.message}`, details };
  if (lost > 0) return { valid: false, message: `${kills}; ${lost} acknowledged writes lost after it`, details: { ...details, lostAcknowledged: lost } };
  if (e.recoveredAtMs === null) return { valid: false, message: `${kills}; the cluster did not recover after it`, details };
  return { valid: true, message: `${kills}; survived: recovered, no acknowledged write lost`, details };
});
