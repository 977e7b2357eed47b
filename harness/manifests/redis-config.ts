import { HarnessError } from '../errors.ts';

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

/** One `--redis-config KEY=VALUE`: applied to every Redis pod on top of its manifests' config. */
export interface RedisOverride {
  key: string;
  value: string;
}

// The local platform sets these itself, and changing them would break how the harness reaches
// and bootstraps the nodes rather than test anything about the manifests.
const MANAGED = new Set(['bind', 'bind-source-addr', 'port', 'cluster-enabled', 'cluster-config-file', 'cluster-port']);

/**
 * Parses `KEY=VALUE` (the value may be empty: `save=` disables RDB snapshots). `source` names the
 * flag or env var for the one-line error.
 */
export function parseRedisOverride(text: string, source: string): RedisOverride {
  const eq = text.indexOf('=');
  if (eq === -1) throw new HarnessError(`${source} ${text}: expected KEY=VALUE, e.g. repl-diskless-sync-delay=0`);
  const key = text.slice(0, eq).trim().toLowerCase();
  const value = text.slice(eq + 1).trim();
  if (key === '') throw new HarnessError(`${source} ${text}: the key is empty; expected KEY=VALUE, e.g. repl-diskless-sync-delay=0`);
  if (!/^[a-z][a-z0-9-]*$/.test(key)) throw new HarnessError(`${source} ${text}: "${key}" is not a Redis config directive (letters, digits and dashes)`);
  if (MANAGED.has(key)) throw new HarnessError(`${source} ${text}: ${key} is set by the harness and cannot be overridden`);
  if (/[,\n]/.test(value)) throw new HarnessError(`${source} ${text}: a value cannot contain a comma or a newline`);
  return { key, value };
}

/** The overrides as a redis-server command line: `--key value ...`, in order (the last one wins). */
export const overrideArgs = (overrides: RedisOverride[]): string[] => overrides.flatMap(({ key, value }) => [`--${key}`, value]);

/** Applies the overrides to a redis.conf text: each directive replaced in place, or appended. */
export function withOverrides(text: string, overrides: RedisOverride[]): string {
  let out = text;
  for (const { key, value } of overrides) {
    const line = new RegExp(`^[ \\t]*${key}(?:[ \\t].*)?$`, 'gim');
    const replacement = `${key} ${value === '' ? '""' : value}`;
    out = line.test(out) ? out.replace(line, replacement) : `${out}${out === '' || out.endsWith('\n') ? '' : '\n'}${replacement}\n`;
  }
  return out;
}

/** Every override a run puts on the Redis pods: the node timeout (--node-timeout), then --redis-config. */
export function runOverrides(nodeTimeoutMs: number | null | undefined, redisConfig: RedisOverride[] = []): RedisOverride[] {
  return [...(nodeTimeoutMs ? [{ key: 'cluster-node-timeout', value: String(nodeTimeoutMs) }] : []), ...redisConfig];
}
