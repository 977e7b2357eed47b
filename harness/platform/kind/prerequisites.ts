import { execa } from 'execa';
import { PrerequisiteError } from '../../errors.ts';
import { signalGroup } from '../../util/process-group.ts';
import { docker, kind, kubectl, type Command } from './commands.ts';

const INSTALL: Record<string, string> = {
  docker: 'Docker with a running engine (https://docs.docker.com/engine/install/)',
  kind: 'kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)',
  kubectl: 'kubectl (https://kubernetes.io/docs/tasks/tools/)',
};

/**
 * `docker info`, `kind version` and `kubectl version --client`, concurrently and each bounded, so a
 * missing tool (or a Docker client without an engine) is one line within 10 s, not a hang later.
 */
export async function checkKindPrerequisites(env: NodeJS.ProcessEnv = process.env, timeoutMs = 8000): Promise<void> {
  const checks: [string, Command][] = [['docker', docker.info()], ['kind', kind.version()], ['kubectl', kubectl.version()]];
  const results = await Promise.all(checks.map(async ([name, c]) => {
    // Its own process group, killed whole at the deadline: a hung tool's children would otherwise
    // keep its output pipes open and the wait going.
    const sub = execa(c.file, c.args, { env, extendEnv: false, reject: false, stdin: 'ignore', detached: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(sub.pid, 'SIGKILL');
    }, timeoutMs);
    const r = await sub;
    clearTimeout(timer);
    if (r.exitCode === 0 && !timedOut) return null;
    const why = timedOut ? 'timed out' : (r as { code?: string }).code === 'ENOENT' ? 'not found on PATH' : (r.stderr || r.stdout).trim().split('\n')[0]?.slice(0, 120) || `exit ${r.exitCode}`;
    return `${name} (${why})`;
  }));
  const missing = results.filter((r): r is string => r !== null);
  if (missing.length) {
    const names = missing.map((m) => m.split(' ')[0]!);
    throw new PrerequisiteError(`the kind platform needs ${missing.join(', ')}: install ${names.map((n) => INSTALL[n]).join('; ')}`);
  }
}
