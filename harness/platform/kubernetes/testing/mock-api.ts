import { createHash } from 'node:crypto';
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

/** What an exec in the mock answers: the command's output and exit code. */
export interface ExecReply {
  stdout?: string;
  stderr?: string;
  exitCode: number;
}
export interface ExecCall {
  pod: string;
  container: string;
  command: string[];
}

export class MockApi {
  readonly requests: Recorded[] = [];
  private handlers: Handler[] = [];
  private server!: Server;
  /** Every exec made, answered by `onExec`. */
  readonly execs: ExecCall[] = [];
  /** Unset, an exec's upgrade is refused, as before exec was mocked (the node agents' execs fail fast). */
  private execReply: ((exec: ExecCall) => ExecReply) | null = null;
  private readonly upgraded = new Set<import('node:stream').Duplex>();

  /**
   * Answers the exec subresource as the API server does, over a WebSocket (v4.channel.k8s.io): the
   * output on channels 1 and 2, then a V1Status on channel 3 (Success, or NonZeroExitCode with the code).
   */
  onExec(reply: (exec: ExecCall) => ExecReply): this {
    this.execReply = reply;
    return this;
  }
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
    this.server.on('upgrade', (req: IncomingMessage, socket) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const pod = /\/pods\/([^/]+)\/exec$/.exec(url.pathname)?.[1];
      const key = req.headers['sec-websocket-key'];
      const reply = this.execReply;
      if (!reply || !pod || !key || !String(req.headers['sec-websocket-protocol']).includes('v4.channel.k8s.io')) return socket.destroy();
      this.upgraded.add(socket);
      socket.on('close', () => this.upgraded.delete(socket));
      // RFC 6455's handshake and unmasked server frames, written out: this mock needs no more of WebSocket.
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, 'Sec-WebSocket-Protocol: v4.channel.k8s.io', '', ''].join('\r\n'));
      const exec = { pod, container: url.searchParams.get('container') ?? '', command: url.searchParams.getAll('command') };
      this.execs.push(exec);
      const { stdout = '', stderr = '', exitCode } = reply(exec);
      const frame = (opcode: number, payload: Buffer) => {
        const length = payload.length < 126 ? Buffer.from([payload.length]) : payload.length < 65536 ? Buffer.from([126, payload.length >> 8, payload.length & 255]) : Buffer.concat([Buffer.from([127, 0, 0, 0, 0]), Buffer.from([(payload.length >>> 24) & 255, (payload.length >> 16) & 255, (payload.length >> 8) & 255, payload.length & 255])]);
        return Buffer.concat([Buffer.from([0x80 | opcode]), length, payload]);
      };
      const channel = (n: number, text: string) => frame(0x2, Buffer.concat([Buffer.from([n]), Buffer.from(text)]));
      if (stdout) socket.write(channel(1, stdout));
      if (stderr) socket.write(channel(2, stderr));
      socket.write(channel(3, JSON.stringify(exitCode === 0 ? { metadata: {}, status: 'Success' }
        : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: ${exitCode}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] } })));
      socket.end(frame(0x8, Buffer.from([0x03, 0xe8])));
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
    for (const socket of this.upgraded) socket.destroy();
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
