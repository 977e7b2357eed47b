import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { HarnessError } from '../errors.ts';
import type { AppEndpoint, CallOptions, ExecResult, PlatformInfo, PodStatus, RedisReply, RunningPlatform } from '../platform/types.ts';

/**
 * Vitest runs scenario files in worker processes, but the platform (the processes of the local
 * platform, the kind cluster's lifetime) belongs to the process that started it. This is the
 * bridge: a token-guarded HTTP server on 127.0.0.1 in that process, and a RunningPlatform in the
 * worker that forwards each call to it. Only the calls a scenario needs cross it.
 */
const METHODS = ['pods', 'deletePod', 'crash', 'kill', 'restart', 'redis', 'redisCli', 'logs', 'appLogs', 'log'] as const;
type Method = (typeof METHODS)[number];

export interface ControlEndpoint {
  url: string;
  token: string;
}

export async function serveControl(platform: RunningPlatform, log: (line: string) => void): Promise<{ endpoint: ControlEndpoint; close(): Promise<void> }> {
  const token = randomBytes(16).toString('hex');
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
          const { method, args } = JSON.parse(Buffer.concat(chunks).toString()) as { method: Method; args: unknown[] };
          if (!METHODS.includes(method)) throw new HarnessError(`unknown control method ${method}`);
          const value = method === 'log' ? log(String(args[0])) : await (platform[method] as (...a: unknown[]) => Promise<unknown>).apply(platform, args);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, value: value ?? null }));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: message, harness: error instanceof HarnessError }));
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

/** The worker's side: a RunningPlatform whose calls run in the session's process. */
export class RemotePlatform implements RunningPlatform {
  constructor(
    readonly info: PlatformInfo,
    private readonly endpoint: ControlEndpoint,
  ) {}

  private async call<T>(method: Method, args: unknown[], options: CallOptions = {}): Promise<T> {
    // The remote side bounds the call itself; this bound covers the hop and a hung peer.
    const timeout = AbortSignal.timeout((options.timeoutMs ?? 30_000) + 5_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const response = await fetch(this.endpoint.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.endpoint.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method, args }),
      signal,
    });
    const reply = (await response.json()) as { ok: boolean; value: T; error?: string; harness?: boolean };
    if (!reply.ok) throw reply.harness ? new HarnessError(reply.error ?? 'remote error') : new Error(reply.error);
    return reply.value;
  }

  pods(): Promise<PodStatus[]> {
    return this.call('pods', []);
  }
  deletePod(name: string, options: { gracePeriodSeconds?: number } = {}): Promise<void> {
    return this.call('deletePod', [name, options], { timeoutMs: 120_000 });
  }
  crash(name: string): Promise<void> {
    return this.call('crash', [name]);
  }
  kill(name: string): Promise<void> {
    return this.call('kill', [name]);
  }
  restart(name: string): Promise<void> {
    return this.call('restart', [name]);
  }
  redis(name: string, args: string[], options: CallOptions = {}): Promise<RedisReply> {
    return this.call('redis', [name, args, { timeoutMs: options.timeoutMs }], options);
  }
  redisCli(name: string, args: string[], options: CallOptions = {}): Promise<ExecResult> {
    return this.call('redisCli', [name, args, { timeoutMs: options.timeoutMs }], options);
  }
  logs(name: string, options: { tailLines?: number } = {}): Promise<string> {
    return this.call('logs', [name, options]);
  }
  appLogs(options: { tailLines?: number } = {}): Promise<string> {
    return this.call('appLogs', [options]);
  }
  /** A progress line, printed by the session's process so it reaches the terminal unbuffered. */
  log(line: string): Promise<void> {
    return this.call('log', [line]);
  }
  deployApp(): Promise<AppEndpoint> {
    throw new HarnessError('the session deploys the app; a scenario cannot');
  }
  down(): Promise<void> {
    throw new HarnessError('the session owns the platform; a scenario cannot take it down');
  }
}
