import { createServer, type Server } from 'node:net';
import { Writable } from 'node:stream';
import type { Exec, PortForward, V1Status } from '@kubernetes/client-node';
import type { ExecResult } from '../types.ts';

/**
 * A local TCP port whose every connection is forwarded to a pod port through the API server, as
 * `kubectl port-forward` does (client-node's port-forward example). The pod is resolved per
 * connection, so a pod re-created under the same name, or a new app pod, is found again.
 */
export async function forwardPort(pf: PortForward, namespace: string, resolvePod: () => Promise<string>, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((socket) => {
    resolvePod()
      .then((pod) => pf.portForward(namespace, pod, [port], socket, null, socket))
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
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
