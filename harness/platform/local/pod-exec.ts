// Commands run against one Redis pod by name: over the run's shared connections (redis), or with
// redis-cli, as `kubectl exec … redis-cli` would (redisCli).

import { runCommand } from '../../util/fork-server.ts';
import type { CallOptions, ExecResult, RedisReply } from '../types.ts';
import { execArgv } from './sandbox/sandbox.ts';
import { redisPod, type LocalRun } from './run-state.ts';

export async function redisCall(run: LocalRun, name: string, args: string[], options?: CallOptions): Promise<RedisReply> {
  const pod = redisPod(run, name);
  if (!pod.ip) throw new Error(`pod ${name} has no IP`);
  return run.connections.call(pod.ip, run.info.clientPort, args, options);
}

export async function redisCli(run: LocalRun, name: string, args: string[], { timeoutMs = 30_000, signal }: CallOptions = {}): Promise<ExecResult> {
  const pod = redisPod(run, name);
  if (!pod.ip) throw new Error(`pod ${name} has no IP`);
  const argv = ['redis-cli', '-h', pod.ip, '-p', String(run.info.clientPort), ...args];
  // Namespaces mode: inside the pod, like kubectl exec; process mode: from the host, on loopback.
  const [file, ...rest] = pod.iface && pod.main.pid ? execArgv(pod.main.pid, argv) : argv;
  const result = await runCommand(file!, rest, { env: pod.main.spec.env, extendEnv: false, timeout: timeoutMs, ...(signal ? { cancelSignal: signal } : {}) });
  if (result.timedOut) throw new Error(`redis-cli ${args.join(' ')} in ${name}: timed out after ${timeoutMs} ms`);
  if (result.error) throw new Error(`redis-cli ${args.join(' ')} in ${name}: ${result.error}`);
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}
