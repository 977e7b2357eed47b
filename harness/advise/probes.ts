// What the kubelet is told about a Redis node: when it is ready, and when to kill it.
import type { Probe } from '../manifests/index.ts';
import { codeLines } from './subject.ts';
import type { Finding, Rule, Script, Subject } from './types.ts';
import { finding } from './util.ts';

const CLUSTER_STATE = /cluster_state/i;

const describe = (probe: Probe, script: Script | undefined) =>
  probe.exec ? script?.label ?? probe.exec.command.join(' ') : probe.tcpSocket ? `tcpSocket ${probe.tcpSocket.port}` : `httpGet ${probe.httpGet!.path}`;

/** A readiness probe that waits for cluster_state:ok (the hardened ready.sh does, with `|| exit 1`). */
const waitsForCluster = (s: Subject) => {
  const script = s.probeScript('readinessProbe');
  return script !== undefined && codeLines(script).some((l) => CLUSTER_STATE.test(l.text));
};

export const readinessProbe: Rule = {
  id: 'readiness-probe',
  summary: 'no readiness probe on the Redis container, or one that ignores `cluster_state`',
  check: (s) => {
    const probe = s.redis.container.readinessProbe;
    if (!probe) {
      return [finding('readiness-probe', 'risk', 'rolling-restart', s.at(s.redis.statefulSet.source, s.containerPath),
        `container "${s.redis.container.name}" has no readiness probe: a pod is Ready as soon as it runs, while its cluster is down or its replica still syncing, so a rolling restart moves on to the next pod too early`)];
    }
    if (waitsForCluster(s)) return [];
    return [finding('readiness-probe', 'risk', 'rolling-restart', s.at(s.redis.statefulSet.source, [...s.containerPath, 'readinessProbe']),
      `the readiness probe (${describe(probe, s.probeScript('readinessProbe'))}) ignores cluster_state: a node answers while its cluster is down or its replica unsynced, so a rolling restart moves on to the next pod too early`)];
  },
};

export const orderedReady: Rule = {
  id: 'ordered-ready',
  summary: 'a readiness probe that waits for `cluster_state:ok` with `podManagementPolicy: OrderedReady`',
  check: (s) => {
    const sts = s.redis.statefulSet;
    if (sts.podManagementPolicy !== 'OrderedReady' || !waitsForCluster(s)) return [];
    return [finding('ordered-ready', 'risk', 'full-restart', s.at(sts.source, ['spec', 'podManagementPolicy']),
      `podManagementPolicy OrderedReady with a readiness probe that waits for cluster_state:ok: after a full restart pod 0 cannot be Ready before its peers are back, and the StatefulSet creates pod 1 only once pod 0 is Ready`)];
  },
};

// A check "requires" a state when failing it fails the probe: `… || exit 1`, `… || false`, or the
// check is the script's last command (its status is the probe's). The hardened alive.sh reads
// master_link_status too, but only to pass early (`&& exit 0`); it fails on one thing, a replica
// replicating from an address its master no longer has, which loading and syncing never cause.
const REQUIRES = /\|\|\s*(exit(\s+[1-9]\d*)?\s*($|[;})])|false\b)/;
const SYNC = /master_link_status|master_sync_in_progress/i;

export const livenessProbe: Rule = {
  id: 'liveness-probe',
  summary: 'a liveness probe that can kill a node while it loads its data (PING without LOADING) or syncs (cluster_state, master_link_status)',
  check: (s) => {
    const probe = s.redis.container.livenessProbe;
    const script = s.probeScript('livenessProbe');
    if (!probe || !script) return [];
    const lines = codeLines(script);
    const requires = (re: RegExp) => lines.find((l, i) => re.test(l.text) && (REQUIRES.test(l.text) || (i === lines.length - 1 && !/&&\s*exit\s+0/.test(l.text))));
    const window = probe.initialDelaySeconds + probe.periodSeconds * probe.failureThreshold;
    const kills = `the kubelet kills it after ${window} s (initialDelaySeconds ${probe.initialDelaySeconds} + periodSeconds ${probe.periodSeconds} × failureThreshold ${probe.failureThreshold})`;
    const found = (line: { index: number }, scenario: Finding['scenario'], message: string) => [finding('liveness-probe', 'risk', scenario, script.lineAt(line.index), `the liveness probe (${script.label}) ${message}`)];
    const state = requires(CLUSTER_STATE);
    if (state) return found(state, 'full-restart', `fails while cluster_state is not ok: after a full restart every node's cluster is down until its peers are back, and ${kills}, again and again`);
    const sync = requires(SYNC);
    if (sync) return found(sync, 'rolling-restart', `fails while a replica's link is down or syncing: a replica's full sync after its pod is replaced can outlast the probe, and ${kills}, mid-sync`);
    // Redis answers -LOADING to PING while it loads its AOF; a probe that sees no PONG then fails,
    // unless it lets LOADING through, as Bitnami's does.
    const ping = lines.find((l) => /\bping\b/i.test(l.text));
    if (ping && !lines.some((l) => /LOADING/.test(l.text))) return found(ping, 'crash-master', `PINGs Redis and takes -LOADING for a failure: a node restarted with a large AOF answers LOADING until it has read it, and ${kills}, before it has`);
    return [];
  },
};

// Since Kubernetes 1.20 the kubelet enforces an exec probe's timeoutSeconds (default 1 s; before,
// it waited for the command: kubernetes/kubernetes#94115), and an exec probe is a runc exec, a shell
// and redis-cli, not a socket: on this project's 2-core node, with two clusters' probes running,
// they outlasted 3 s and the kubelet restarted healthy nodes (docs/kubernetes.md). So 3 s or less
// is a note: it fails no scenario on a quiet machine, only on a busy node.
const SHORT_EXEC_TIMEOUT_S = 3;

export const livenessTimeout: Rule = {
  id: 'liveness-timeout',
  summary: `an exec liveness probe with \`timeoutSeconds\` of ${SHORT_EXEC_TIMEOUT_S} or less (a note)`,
  check: (s) => {
    const probe = s.redis.container.livenessProbe;
    if (!probe?.exec || probe.timeoutSeconds > SHORT_EXEC_TIMEOUT_S) return [];
    const label = s.probeScript('livenessProbe')?.label ?? probe.exec.command.join(' ');
    return [finding('liveness-timeout', 'note', 'full-restart', s.at(s.redis.statefulSet.source, [...s.containerPath, 'livenessProbe', 'timeoutSeconds']),
      `the liveness probe (${label}) runs a command with timeoutSeconds ${probe.timeoutSeconds}: Kubernetes 1.20 and later count a probe still running then as failed, an exec probe can take seconds on a busy node, and after failureThreshold ${probe.failureThreshold} such in a row the kubelet kills a healthy node`)];
  },
};

export const probeRules: Rule[] = [readinessProbe, orderedReady, livenessProbe, livenessTimeout];
