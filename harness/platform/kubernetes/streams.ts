import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { Exec, PortForward, V1Status } from '@kubernetes/client-node';
import type { ExecResult } from '../types.ts';

/** What client-node's PortForward hands back: the WebSocket of one forwarded connection. */
interface ForwardSocket {
  close(): void;
  on(event: 'close' | 'error', listener: () => void): unknown;
}

/**
 * A local TCP port whose every connection is forwarded to a pod port through the API server, as
 * `kubectl port-forward` does (client-node's port-forward example). The pod is resolved per
 * connection, so a pod re-created under the same name, or a new app pod, is found again.
 *
 * Each side is closed when the other closes. client-node's PortForward only writes into the local
 * socket: when the pod goes (deleted, its container killed), the WebSocket closes and, left alone,
 * the local socket stays open, so a client on it (ioredis) keeps a "ready" connection to nothing
 * and never redials. On a real node every scenario that replaces a pod failed that way.
 */
export async function forwardPort(pf: Pick<PortForward, 'portForward'>, namespace: string, resolvePod: () => Promise<string>, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let ws: ForwardSocket | null = null;
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      ws?.close();
    });
    resolvePod()
      .then((pod) => pf.portForward(namespace, pod, [port], socket, null, socket))
      .then((opened) => {
        ws = opened as unknown as ForwardSocket;
        if (socket.destroyed) return ws.close();
        ws.on('close', () => socket.destroy());
        ws.on('error', () => socket.destroy());
      })
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    // server.close() waits for every open connection: end them, or close() would wait forever.
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}

/** Runs a command in a container through the Exec API, bounded; the exit code comes from the V1Status. */
export function execIn(exec: Exec, namespace: string, pod: string, container: string, argv: string[], timeoutMs: number): Promise<ExecResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk: Buffer, _enc, done) { append(chunk.toString()); done(); } });
  return new Promise((resolve, reject) => {
    let socket: { close(): void } | null = null;
    const timer = setTimeout(() => {
      socket?.close();
      reject(new Error(`exec ${argv.join(' ')} in ${pod}: timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onStatus = (status: V1Status) => {
      clearTimeout(timer);
      const code = status.status === 'Success' ? 0 : Number(status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message ?? 1);
      resolve({ exitCode: code, stdout, stderr });
    };
    exec.exec(namespace, pod, container, argv, sink((s) => (stdout += s)), sink((s) => (stderr += s)), null, false, onStatus).then(
      (ws) => {
        socket = ws;
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
