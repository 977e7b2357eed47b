/** Reads a redis.conf text into directive → arguments (last one wins, as in Redis). */
export function parseRedisConf(text: string): Map<string, string> {
  const directives = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key) directives.set(key.toLowerCase(), rest.join(' '));
  }
  return directives;
}

/** Redis' own default when the file does not say. */
export const REDIS_DEFAULT_NODE_TIMEOUT_MS = 15000;
