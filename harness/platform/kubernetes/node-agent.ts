import type { CoreV1Api, Exec, V1Pod } from '@kubernetes/client-node';
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

/**
 * The runtime's id of the pod's container named `container`. The kubelet orders containerStatuses
 * by name, not as the spec lists them: with a sidecar named before `redis` (an `exporter`), the
 * first status is the sidecar's.
 */
export function containerIdOf(pod: V1Pod, container: string): string | null {
  return pod.status?.containerStatuses?.find((c) => c.name === container)?.containerID ?? null;
}

/** The container's id without its runtime's scheme: containerd://, cri-o://, docker://. */
export function bareContainerId(containerId: string): string {
  const id = containerId.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  if (!/^[0-9a-f]{12,64}$/.test(id)) throw new HarnessError(`unexpected container id ${containerId}`);
  return id;
}

/**
 * A loop over the container's processes that are PID 1 of their namespace, as `$d` (/proc/<pid>).
 * One grep reads every process's cgroup file: two greps per process on the node took 6.6 s for
 * a SIGSTOP once on a busy node, and that delay lands inside the fault.
 */
function findInit(containerId: string): string {
  const id = bareContainerId(containerId);
  return `for f in $(grep -l ${id} /proc/[0-9]*/cgroup 2>/dev/null); do d=\${f%/cgroup}; grep -qE '^NSpid:.*[[:space:]]1$' $d/status 2>/dev/null &&`;
}

export class NodeAgents {
  private readonly ready = new Map<string, Promise<string>>();

  constructor(
    private readonly core: CoreV1Api,
    private readonly exec: Exec,
    private readonly namespace: string,
    private readonly runId: string,
    /** The Redis container's name: the one whose main process a fault signals. */
    private readonly container: string,
  ) {}

  /**
   * Starts an agent on each of these nodes and waits until all run. Called during setup, so that
   * a fault's recorded time is when it takes effect: an agent created by the first fault (on kind
   * with an image pull) counted its own start-up, seconds of it, as the fault's.
   */
  async prepare(nodes: string[], { timeoutMs = 120_000, signal }: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    await Promise.all([...new Set(nodes)].map((n) => this.agentOn(n, timeoutMs, signal)));
  }

  async signal(pod: string, signal: 'KILL' | 'STOP' | 'CONT'): Promise<number> {
    const { node, containerId, result } = await this.onNodeOf(pod, (id) => signalScript(id, signal));
    const pid = Number(result.stdout.trim().split('\n')[0]);
    if (!pid) throw new HarnessError(`could not find the main process of ${pod} (container ${containerId}) on node ${node}: ${result.stderr.trim()}`);
    return pid;
  }

  /** A shell script in the pod's network namespace, from its node. */
  async inNetns(pod: string, commands: string): Promise<void> {
    const { node, result } = await this.onNodeOf(pod, (id) => netnsScript(id, commands));
    // A kernel without sch_netem (this project's own test node has none) cannot delay: say so plainly.
    if (/qdisc kind is unknown/i.test(result.stderr) && /netem/.test(commands)) {
      throw new HarnessError(`a delay needs tc netem, and node ${node} has none: its kernel lacks the netem qdisc (sch_netem), so ${pod}'s link cannot be slowed there`);
    }
    if (result.exitCode !== 0) throw new HarnessError(`network fault in ${pod} on node ${node} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  }

  /** Runs the script made for the pod's main container by the agent on the pod's node. */
  private async onNodeOf(pod: string, script: (containerId: string) => string[]) {
    const p = await this.core.readNamespacedPod({ name: pod, namespace: this.namespace });
    const node = p.spec?.nodeName;
    const containerId = containerIdOf(p, this.container);
    if (!node || !containerId) throw new HarnessError(`pod ${pod} has no node or no running container ${this.container} to reach`);
    const agent = await this.agentOn(node);
    return { node, containerId, result: await execIn(this.exec, this.namespace, agent, 'agent', script(containerId), 15_000) };
  }

  private agentOn(node: string, timeoutMs = 120_000, signal?: AbortSignal): Promise<string> {
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
        }, { timeoutMs, intervalMs: 500, ...(signal ? { signal } : {}) });
        return name;
      })();
      this.ready.set(node, pending);
      pending.catch(() => this.ready.delete(node));
    }
    return pending;
  }
}
