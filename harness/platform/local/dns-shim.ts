// Loaded with --import into the app on the local platform, before ioredis captures dns.lookup:
// a Service name resolves to the current pod addresses, as cluster DNS would, by reading the hosts
// file the platform rewrites whenever a pod gets a new IP. Other names resolve as usual.
import dns from 'node:dns';
import { readFileSync } from 'node:fs';

const file = process.env.REDIS_CHAOS_HOSTS_FILE;
const original = dns.lookup;

function lookupHosts(hostname: string): string[] | undefined {
  if (!file) return undefined;
  try {
    const hosts = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
    return hosts[hostname];
  } catch {
    return undefined;
  }
}

type Callback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

function patched(hostname: string, options: unknown, callback?: unknown): void {
  const cb = (typeof options === 'function' ? options : callback) as Callback;
  const opts = (typeof options === 'object' && options !== null ? options : {}) as dns.LookupOptions;
  const ips = lookupHosts(hostname);
  if (!ips || ips.length === 0) {
    (original as (...args: unknown[]) => void)(hostname, options, callback);
    return;
  }
  // A ClusterIP Service sends each connection to one of its endpoints.
  const pick = ips[Math.floor(Math.random() * ips.length)]!;
  process.nextTick(() => (opts.all ? cb(null, ips.map((address) => ({ address, family: 4 }))) : cb(null, pick, 4)));
}

dns.lookup = patched as typeof dns.lookup;
