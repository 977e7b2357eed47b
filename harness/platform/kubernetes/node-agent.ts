import type { CoreV1Api } from '@kubernetes/client-node';
import type { Exec } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { HarnessError } from '../../errors.ts';
import { NotYet, waitUntil } from '../../util/wait.ts';
import { execIn } from './streams.ts';

/**
 * Signals a container's main process from its node. `kill` from inside the container cannot
 * SIGKILL PID 1 (the kernel ignores signals to a namespace's init that it has no handler for),
 * so the harness runs one privileged hostPID pod per node and signals the host PID of the
 * container's init: the process whose cgroup names the container and whose innermost PID is 1.
 * Network faults are the same nft and tc commands as on the local platform, run with nsenter in
 * that process's network namespace; the image carries nsenter, nft and tc (netshoot).
 */
export const AGENT_IMAGE = 'nicolaka/netshoot:v0.13';

export function agentName(node: string): string {
  return `redis-chaos-agent-${createHash('sha256').update(node).digest('hex').slice(0, 10)}`;
}

export function agentPod(node: string, runId: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: agentName(node), labels: { 'app.kubernetes.io/managed-by': 'redis-chaos', 'redis-chaos/run': runId, 'redis-chaos/role': 'node-agent' } },
    spec: {
      nodeName: node,
      hostPID: true,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'agent', image: AGENT_IMAGE, command: ['sleep', '86400'], securityContext: { privileged: true } }],
    },
  };
}

/** The shell the agent runs: prints the host PID it signalled, or nothing if none matched. */
export function signalScript(containerId: string, signal: 'KILL' | 'STOP' | 'CONT'): string[] {
  return ['sh', '-c', `${findInit(containerId)} kill -${signal} \${d#/proc/} && echo \${d#/proc/}; done; true`];
}

/** Runs `commands` (a shell script) in the network namespace of the container's init; prints its host PID. */
export function netnsScript(containerId: string, commands: string): string[] {
  const quoted = `'${commands.replace(/'/g, `'\\''`)}'`;
  return ['sh', '-c', `${findInit(containerId)} { nsenter -t \${d#/proc/} -n -- sh -c ${quoted} || exit 1; echo \${d#/proc/}; exit 0; }; done; exit 3`];
}

function findInit(containerId: string): string {
  const id = containerId.replace(/^[a-z]+:\/\//, '');
  if (!/^[0-9a-f]{12,64}$/.test(id)) throw new HarnessError(`unexpected container id ${containerId}`);
  return `for d in /proc/[0-9]*; do grep -q ${id} $d/cgroup 2>/dev/null && grep -qE '^NSpid:.*[[:space:]]1$' $d/status 2>/dev/null &&`;
}

export class NodeAgents {
  private readonly ready = new Map<string, Promise<string>>();

  constructor(
    private readonly core: CoreV1Api,
    private readonly exec: Exec,
    private readonly namespace: string,
    private readonly runId: string,
  ) {}

  async signal(pod: string, signal: 'KILL' | 'STOP' | 'CONT'): Promise<number> {
    const { node, containerId, result } = await this.onNodeOf(pod, (id) => signalScript(id, signal));
    const pid = Number(result.stdout.trim().split('\n')[0]);
    if (!pid) throw new HarnessError(`could not find the main process of ${pod} (container ${containerId}) on node ${node}: ${result.stderr.trim()}`);
    return pid;
  }

  /** A shell script in the pod's network namespace, from its node. */
  async inNetns(pod: string, commands: string): Promise<void> {
    const { node, result } = await this.onNodeOf(pod, (id) => netnsScript(id, commands));
    if (result.exitCode !== 0) throw new HarnessError(`network fault in ${pod} on node ${node} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  }

  /** Runs the script made for the pod's main container by the agent on the pod's node. */
  private async onNodeOf(pod: string, script: (containerId: string) => string[]) {
    const p = await this.core.readNamespacedPod({ name: pod, namespace: this.namespace });
    const node = p.spec?.nodeName;
    const containerId = p.status?.containerStatuses?.[0]?.containerID;
    if (!node || !containerId) throw new HarnessError(`pod ${pod} has no node or no running container to reach`);
    const agent = await this.agentOn(node);
    return { node, containerId, result: await execIn(this.exec, this.namespace, agent, 'agent', script(containerId), 15_000) };
  }

  private agentOn(node: string): Promise<string> {
    let pending = this.ready.get(node);
    if (!pending) {
      pending = (async () => {
        const name = agentName(node);
        await this.core.createNamespacedPod({ namespace: this.namespace, body: agentPod(node, this.runId) as never }).catch((e: { code?: number }) => {
          if (e.code !== 409) throw e; // already there from an earlier fault
        });
        await waitUntil(`node agent ${name} running`, async () => {
          const a = await this.core.readNamespacedPod({ name, namespace: this.namespace });
          if (a.status?.phase !== 'Running') throw new NotYet(`${name} is ${a.status?.phase}`);
        }, { timeoutMs: 120_000, intervalMs: 500 });
        return name;
      })();
      this.ready.set(node, pending);
      pending.catch(() => this.ready.delete(node));
    }
    return pending;
  }
}
