import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { apiResources } from './fixtures.ts';

/**
 * A mock Kubernetes API server for contract tests, and only for them: it records every request
 * (method, path, query, content type, body) and answers from handlers the test registers, falling
 * back to API discovery and a 404 Status. It is not a Kubernetes: it only checks the calls made.
 */
export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
}

type Handler = (req: Recorded, res: ServerResponse) => boolean | void;

export class MockApi {
  readonly requests: Recorded[] = [];
  private handlers: Handler[] = [];
  private server!: Server;
  url = '';

  on(method: string, pathPattern: RegExp, respond: (req: Recorded, res: ServerResponse) => void): this {
    this.handlers.push((req, res) => {
      if (req.method !== method || !pathPattern.test(req.path)) return false;
      respond(req, res);
      return true;
    });
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const recorded: Recorded = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString() };
        this.requests.push(recorded);
        // Newest handler first, so a test can override the defaults it set up earlier.
        for (const h of [...this.handlers].reverse()) if (h(recorded, res)) return;
        const discovery = (apiResources as Record<string, unknown>)[recorded.path];
        if (discovery) return json(res, 200, discovery);
        json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${recorded.path} not found` });
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  /** A kubeconfig with one context, named as the test needs, pointing here. */
  async kubeconfig(context: string): Promise<string> {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'kubeconfig-')), 'config');
    await writeFile(file, [
      'apiVersion: v1', 'kind: Config', `current-context: ${context}`,
      'clusters:', `- name: c`, `  cluster: {server: "${this.url}", insecure-skip-tls-verify: true}`,
      'users:', '- name: u', '  user: {token: test-token}',
      'contexts:', `- name: ${context}`, '  context: {cluster: c, user: u}', '',
    ].join('\n'));
    return file;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A watch response: one JSON event per line, then the server ends the stream (its timeout). */
export function watchStream(res: ServerResponse, events: { type: string; object: unknown }[]): void {
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  for (const e of events) res.write(`${JSON.stringify(e)}\n`);
  res.end();
}
