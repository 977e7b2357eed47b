import { execa } from 'execa';
import { HarnessError } from '../../errors.ts';

/** The version of the redis-server that stands in for the redis image, from `--version`. */
export async function redisServerVersion(binary: string): Promise<string> {
  const { stdout } = await execa(binary, ['--version'], { timeout: 10_000 });
  const version = /v=(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  if (!version) throw new HarnessError(`could not read the version of ${binary} from "${stdout.trim()}"`);
  if (Number(version.split('.')[0]) < 7) throw new HarnessError(`${binary} is ${version}; the local platform needs redis-server >= 7.0`);
  return version;
}

/**
 * Pods share loopback: without --bind-source-addr the cluster bus dials from 127.0.0.1 and
 * `--cluster create` hangs at "Waiting for the cluster to join". --port pins the manifest's client port.
 */
export function redisPodArgs(ip: string, clientPort: number, nodeTimeoutOverrideMs: number | null | undefined): string[] {
  const extra = ['--bind', ip, '--bind-source-addr', ip, '--port', String(clientPort)];
  if (nodeTimeoutOverrideMs) extra.push('--cluster-node-timeout', String(nodeTimeoutOverrideMs));
  return extra;
}
