import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { HarnessError, InterruptedError } from '../errors.ts';
import type { AppEndpoint, CallOptions, ExecResult, PlatformInfo, RedisReply, RunningPlatform } from '../platform/types.ts';

/**
 * Vitest runs scenario files in worker processes, but the platforms (the processes of the local
 * platform, the kind cluster's lifetime) belong to the process that started them, so that one
 * place tears them all down, on Ctrl-C too. This is the bridge: a token-guarded HTTP server on
 * 127.0.0.1 in that process, and a RunningPlatform in the worker that forwards each call to it.
 * A worker first leases a session (a platform with its cluster and app) for its scenario; every
 * call names that lease. Only the calls a scenario needs cross it.
 */
/**
 * Every platform method a scenario may call across the bridge, with the bound on its call. The
 * type makes this the one place a new platform operation is added: the server's allow-list, the
 * worker's methods and their timeouts all come from it. `redis` is batched, and `deployApp` and
 * `down` belong to the session, so those three are not here.
 */
type Remote = Exclude<keyof RunningPlatform, 'info' | 'redis' | 'deployApp' | 'down'>;
export const REMOTE_TIMEOUTS_MS: Record<Remote, number> = {
  pods: 30_000, deletePod: 120_000, crash: 30_000, kill: 30_000, restart: 30_000, pause: 30_000, resume: 30_000,
  fullRestart: 300_000, partition: 60_000, degrade: 60_000, heal: 60_000, redisCli: 30_000, logs: 30_000, appLogs: 30_000,
  nodes: 30_000, crashNode: 120_000, restoreNode: 300_000, cordon: 30_000, uncordon: 30_000, evict: 120_000,
  fillDisk: 120_000, freeDisk: 60_000,
};
type Method = Remote;
const METHODS = Object.keys(REMOTE_TIMEOUTS_MS) as Method[];

export interface ControlEndpoint {
  url: string;
  token: string;
}

/** What a scenario gets of the session it leased. */
export interface Lease {
  id: string;
  info: PlatformInfo;
  appUrl: string;
  nodeTimeoutMs: number;
  /** How long this session's setup took (platform up, bootstrap, app), in ms. */
  timings: Record<string, number>;
}

/** The session side: where leases come from and whose platforms serve the calls. */
export interface LeaseProvider {
  acquire(scenario: string): Promise<Lease>;
  release(id: string): Promise<void>;
  platform(id: string): RunningPlatform;
}

type Request =
  | { op: 'call'; lease: string; method: Method; args: unknown[] }
  | { op: 'acquire'; scenario: string }
  | { op: 'release'; lease: string }
  | { op: 'batch'; lease: string; calls: { args: [string, string[], { timeoutMs?: number }] }[] }
  | { op: 'log'; line: string };

export async function serveControl(provider: LeaseProvider, log: (line: string) => void): Promise<{ endpoint: ControlEndpoint; close(): Promise<void> }> {
  const token = randomBytes(16).toString('hex');
  const answer = async (r: Request): Promise<unknown> => {
    switch (r.op) {
      case 'log':
        return log(r.line);
      case 'acquire':
        return provider.acquire(r.scenario);
      case 'release':
        return provider.release(r.lease);
      case 'batch': {
        // Redis commands issued in one tick (a topology snapshot: 3 per node) cross as one request.
        const platform = provider.platform(r.lease);
        return Promise.all(r.calls.map(({ args }) => platform.redis(...args).then(
          (value) => ({ ok: true, value }),
          (error: unknown) => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
        )));
      }
      case 'call': {
        if (!METHODS.includes(r.method)) throw new HarnessError(`unknown control method ${r.method}`);
        const platform = provider.platform(r.lease);
        return (platform[r.method] as (...a: unknown[]) => Promise<unknown>).apply(platform, r.args);
      }
    }
  };
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}` || req.method !== 'POST') {
      res.writeHead(403).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const value = await answer(JSON.parse(Buffer.concat(chunks).toString()) as Request);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, value: value ?? null }));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: message, harness: error instanceof HarnessError, interrupted: error instanceof InterruptedError }));
        }
      })();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: { url: `http://127.0.0.1:${port}/rpc`, token },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The worker's side of the bridge. */
export class ControlClient {
  constructor(private readonly endpoint: ControlEndpoint) {}

  async send<T>(request: Request, options: CallOptions = {}): Promise<T> {
    // The remote side bounds the call itself; this bound covers the hop and a hung peer.
    const timeout = AbortSignal.timeout((options.timeoutMs ?? 30_000) + 5_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const response = await fetch(this.endpoint.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.endpoint.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal,
    });
    const reply = (await response.json()) as { ok: boolean; value: T; error?: string; harness?: boolean; interrupted?: boolean };
    if (!reply.ok && reply.interrupted) throw new InterruptedError(reply.error ?? 'interrupted');
    if (!reply.ok) throw reply.harness ? new HarnessError(reply.error ?? 'remote error') : new Error(reply.error);
    return reply.value;
  }

  /** A session for one scenario: the shared one, or a fresh cluster of its own (--parallel). */
  acquire(scenario: string, signal?: AbortSignal): Promise<Lease> {
    // Starting a fresh cluster takes the readiness deadline at most; the session side bounds it.
    return this.send({ op: 'acquire', scenario }, { timeoutMs: 600_000, ...(signal ? { signal } : {}) });
  }

  release(lease: string): Promise<void> {
    return this.send({ op: 'release', lease }, { timeoutMs: 120_000 });
  }

  /** A progress line, printed by the session's process so it reaches the terminal unbuffered. */
  log(line: string): Promise<void> {
    return this.send({ op: 'log', line });
  }
}

/** The worker's RunningPlatform: each call runs on the leased session's platform. */
// The forwarded methods are made from REMOTE_TIMEOUTS_MS in the constructor; this declares them.
export interface RemotePlatform extends Pick<RunningPlatform, Exclude<Remote, 'redisCli'>> {}
export class RemotePlatform implements RunningPlatform {
  constructor(
    readonly info: PlatformInfo,
    private readonly client: ControlClient,
    private readonly lease: string,
  ) {
    for (const method of METHODS) {
      if (method === 'redisCli') continue;
      Object.defineProperty(this, method, { value: (...args: unknown[]) => this.call(method, args, { timeoutMs: REMOTE_TIMEOUTS_MS[method] }) });
    }
  }

  private queue: { args: [string, string[], { timeoutMs?: number }]; resolve: (v: RedisReply) => void; reject: (e: Error) => void }[] = [];

  private call<T>(method: Method, args: unknown[], options: CallOptions = {}): Promise<T> {
    return this.client.send({ op: 'call', lease: this.lease, method, args }, options);
  }

  /**
   * Redis commands are batched per tick: the sampler's snapshot every 250 ms is 18 commands, and
   * 18 HTTP round trips per sample cost each worker a third of a core once five scenarios share
   * two. Each command keeps its own timeout (on the session side) and its own signal (here).
   */
  private flush(): void {
    const batch = this.queue.splice(0);
    if (batch.length === 0) return;
    const timeoutMs = Math.max(...batch.map((c) => c.args[2].timeoutMs ?? 1000));
    this.client.send<{ ok: boolean; value?: RedisReply; error?: string }[]>({ op: 'batch', lease: this.lease, calls: batch.map(({ args }) => ({ args })) }, { timeoutMs }).then(
      (replies) => batch.forEach((c, i) => (replies[i]?.ok ? c.resolve(replies[i]!.value ?? null) : c.reject(new Error(replies[i]?.error ?? 'no reply')))),
      (error: unknown) => batch.forEach((c) => c.reject(error instanceof Error ? error : new Error(String(error)))),
    );
  }

  redis(name: string, args: string[], options: CallOptions = {}): Promise<RedisReply> {
    options.signal?.throwIfAborted();
    return new Promise<RedisReply>((resolve, reject) => {
      if (this.queue.length === 0) queueMicrotask(() => this.flush());
      const onAbort = () => reject(options.signal!.reason instanceof Error ? options.signal!.reason : new Error('aborted'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const done = <T>(f: (v: T) => void) => (v: T) => {
        options.signal?.removeEventListener('abort', onAbort);
        f(v);
      };
      this.queue.push({ args: [name, args, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }], resolve: done(resolve), reject: done(reject) });
    });
  }
  redisCli(name: string, args: string[], options: CallOptions = {}): Promise<ExecResult> {
    return this.call('redisCli', [name, args, { timeoutMs: options.timeoutMs }], options);
  }
  deployApp(): Promise<AppEndpoint> {
    throw new HarnessError('the session deploys the app; a scenario cannot');
  }
  down(): Promise<void> {
    throw new HarnessError('the session owns the platform; a scenario cannot take it down');
  }
}
