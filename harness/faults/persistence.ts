import type { FaultRecord } from '../checkers/index.ts';
import { parseConfigReply } from '../cluster/index.ts';
import type { RunningPlatform } from '../platform/types.ts';

/**
 * `appendonly` and `appendfsync` as the pod's Redis has them (CONFIG GET), for a crash's record:
 * what a SIGKILL may lose depends on them. Undefined when the pod does not answer within a second.
 */
export async function persistenceOf(platform: RunningPlatform, pod: string): Promise<FaultRecord['persistence']> {
  const reply = await platform.redis(pod, ['CONFIG', 'GET', 'append*'], { timeoutMs: 1000 }).catch(() => null);
  const config = parseConfigReply(reply);
  if (!config) return undefined;
  const appendonly = config.get('appendonly');
  const appendfsync = config.get('appendfsync');
  return appendonly === undefined || appendfsync === undefined ? undefined : { appendonly: appendonly === 'yes', appendfsync };
}
