import type { FaultRecord } from '../checkers/index.ts';
import type { RunningPlatform } from '../platform/types.ts';

/**
 * `appendonly` and `appendfsync` as the pod's Redis has them (CONFIG GET), for a crash's record:
 * what a SIGKILL may lose depends on them. Undefined when the pod does not answer within a second.
 */
export async function persistenceOf(platform: RunningPlatform, pod: string): Promise<FaultRecord['persistence']> {
  const reply = await platform.redis(pod, ['CONFIG', 'GET', 'append*'], { timeoutMs: 1000 }).catch(() => null);
  if (!Array.isArray(reply)) return undefined;
  const config = new Map<string, string>();
  for (let i = 0; i + 1 < reply.length; i += 2) config.set(String(reply[i]), String(reply[i + 1]));
  const appendonly = config.get('appendonly');
  const appendfsync = config.get('appendfsync');
  return appendonly === undefined || appendfsync === undefined ? undefined : { appendonly: appendonly === 'yes', appendfsync };
}
