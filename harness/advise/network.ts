// The cluster bus: every node talks to every other on client port + 10000 (or `cluster-port`).
import type { FieldPath, Service } from '../manifests/index.ts';
import type { Finding, Rule, Subject } from './types.ts';
import { finding, rawSelector, selects } from './util.ts';

const portName = (s: Subject, port: number) => s.redis.container.ports.find((p) => p.containerPort === port)?.name;
const servesPort = (s: Subject, svc: Service, port: number) => svc.ports.some((p) => p.targetPort === port || (typeof p.targetPort === 'string' && p.targetPort === portName(s, port)));

/** Whether nodes are announced at an address other than their own pod IP, e.g. a Service's. */
function announcedElsewhere(s: Subject): boolean {
  const ip = s.config.get('cluster-announce-ip')?.value;
  if (ip === undefined) return false;
  const variable = /^\$\((\w+)\)$/.exec(ip)?.[1];
  return !s.redis.container.env.some((e) => e.name === variable && e.fieldRef === 'status.podIP');
}

export const busPortService: Rule = {
  id: 'bus-port-service',
  summary: 'a Service in front of the Redis pods with the client port but not the bus port (a risk when nodes are announced at an address other than their pod IP)',
  check: (s) => {
    const { redis } = s;
    const labels = redis.statefulSet.template.labels;
    const services = s.system.manifests.objects.filter((o): o is Service => o.kind === 'Service'
      && (o.name === redis.statefulSet.serviceName || (Object.keys(o.selector).length > 0 && Object.entries(o.selector).every(([k, v]) => labels[k] === v))));
    const elsewhere = announcedElsewhere(s);
    return services.filter((svc) => servesPort(s, svc, redis.clientPort) && !servesPort(s, svc, redis.busPort)).map((svc) =>
      finding('bus-port-service', elsewhere ? 'risk' : 'note', 'partition-master', s.at(svc.source, ['spec', 'ports']), elsewhere
        ? `Service "${svc.name}" has the client port ${redis.clientPort} but not the cluster bus port ${redis.busPort}, and the nodes announce an address other than their pod IP (cluster-announce-ip ${s.config.get('cluster-announce-ip')!.value}): gossip through it fails, so do failure detection and failover`
        : `Service "${svc.name}" has the client port ${redis.clientPort} but not the cluster bus port ${redis.busPort}: harmless while nodes reach each other by pod IP, as here, but nodes announced through this Service could not gossip or fail over`));
  },
};

type Raw = Record<string, unknown>;
type RawDocument = ReturnType<Subject['raw']>[number];
const list = (v: unknown): Raw[] => (Array.isArray(v) ? v.filter((x): x is Raw => typeof x === 'object' && x !== null) : []);

/**
 * NetworkPolicies are additive: once one selects a pod for a direction, only what some policy allows
 * gets through. A rule allows a port if it lists no ports, or the port by number, range or name; a
 * peer if it lists no peers, or a podSelector that selects the Redis pods. A namespaceSelector alone
 * or an ipBlock is taken as allowing: which namespaces and addresses they cover is not in the folder.
 */
function blocked(s: Subject, direction: 'ingress' | 'egress', port: number): { policy: RawDocument; path: FieldPath } | null {
  const labels = s.redis.statefulSet.template.labels;
  const name = portName(s, port);
  const applying = s.raw('NetworkPolicy').filter(({ object }) => {
    const spec = (object.spec ?? {}) as Raw;
    const selector = spec.podSelector === undefined ? null : rawSelector(spec.podSelector);
    if (!selector || !selects(selector, labels)) return false;
    const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : direction === 'ingress' || spec.egress !== undefined ? [direction === 'ingress' ? 'Ingress' : 'Egress'] : [];
    return types.includes(direction === 'ingress' ? 'Ingress' : 'Egress');
  });
  if (applying.length === 0) return null;
  const allows = (rule: Raw) => {
    const ports = list(rule.ports);
    const portOk = ports.length === 0 || ports.some((p) => (p.protocol ?? 'TCP') === 'TCP'
      && (p.port === undefined || p.port === port || (typeof p.port === 'string' && p.port === name)
        || (typeof p.port === 'number' && typeof p.endPort === 'number' && p.port <= port && port <= p.endPort)));
    const peers = list(direction === 'ingress' ? rule.from : rule.to);
    const peerOk = peers.length === 0 || peers.some((peer) => {
      if (peer.podSelector === undefined) return true;
      const selector = rawSelector(peer.podSelector);
      return selector === null || selects(selector, labels);
    });
    return portOk && peerOk;
  };
  if (applying.some(({ object }) => list(((object.spec ?? {}) as Raw)[direction]).some(allows))) return null;
  return { policy: applying[0]!, path: ['spec', direction] };
}

export const networkPolicy: Rule = {
  id: 'network-policy',
  summary: "a NetworkPolicy in the folder that blocks the bus port (or the client port, which replication uses) between the Redis pods",
  check: (s) => {
    const out: Finding[] = [];
    for (const [port, what] of [[s.redis.busPort, 'the cluster bus'], [s.redis.clientPort, 'the client port, which replication uses']] as const) {
      for (const direction of ['ingress', 'egress'] as const) {
        const hit = blocked(s, direction, port);
        if (!hit) continue;
        const policy = String(((hit.policy.object.metadata ?? {}) as Raw).name ?? '?');
        out.push(finding('network-policy', 'risk', 'partition-master', s.at(hit.policy.source, hit.path),
          `NetworkPolicy "${policy}" selects the Redis pods for ${direction}, and no policy allows port ${port} (${what}) ${direction === 'ingress' ? 'in from' : 'out to'} the other Redis pods: nodes cannot ${port === s.redis.busPort ? 'gossip, detect failures or elect a replica' : 'replicate or be joined by redis-cli --cluster'}, as in a partition that never heals`));
        break;
      }
    }
    return out;
  },
};

export const networkRules: Rule[] = [busPortService, networkPolicy];
