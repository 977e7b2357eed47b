import { HarnessError } from '../../errors.ts';
import { overrideArgs, type RedisOverride } from '../../manifests/index.ts';
import { failureText, runCommand } from '../../util/fork-server.ts';

/** The version of the redis-server that stands in for the redis image, from `--version`. */
export async function redisServerVersion(binary: string): Promise<string> {
  const result = await runCommand(binary, ['--version'], { timeout: 10_000 });
  if (result.exitCode !== 0) throw new HarnessError(`${binary} --version: ${failureText(result)}`);
  const { stdout } = result;
  const version = /v=(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  if (!version) throw new HarnessError(`could not read the version of ${binary} from "${stdout.trim()}"`);
  if (Number(version.split('.')[0]) < 7) throw new HarnessError(`${binary} is ${version}; the local platform needs redis-server >= 7.0`);
  return version;
}

/**
 * Pods share loopback: without --bind-source-addr the cluster bus dials from 127.0.0.1 and
 * `--cluster create` hangs at "Waiting for the cluster to join". --port pins the manifest's client
 * port. The run's overrides (--redis-config, --node-timeout) come last, so they win over the file.
 */
export function redisPodArgs(ip: string, clientPort: number, overrides: RedisOverride[]): string[] {
  return ['--bind', ip, '--bind-source-addr', ip, '--port', String(clientPort), ...overrideArgs(overrides)];
}
