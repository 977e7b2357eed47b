// Loaded with --import into the app on the local platform, before ioredis captures dns.lookup:
// a Service name resolves to one of the current pod addresses, as a ClusterIP Service picks an
// endpoint per connection, by reading the hosts file the platform rewrites whenever a pod gets a
// new IP (the run's in process mode, the pod's /etc/hosts in namespaces mode). Other names
// resolve as usual.
import dns from 'node:dns';
import { readFileSync } from 'node:fs';

const file = process.env.REDIS_CHAOS_HOSTS_FILE;
const original = dns.lookup;

function lookupHosts(hostname: string): string[] | undefined {
  if (!file) return undefined;
  try {
    const ips: string[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [ip, ...names] = line.split(/\s+/).filter(Boolean);
      if (ip && names.includes(hostname)) ips.push(ip);
    }
    return ips;
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
  const pick = ips[Math.floor(Math.random() * ips.length)]!;
  process.nextTick(() => (opts.all ? cb(null, ips.map((address) => ({ address, family: 4 }))) : cb(null, pick, 4)));
}

dns.lookup = patched as typeof dns.lookup;
