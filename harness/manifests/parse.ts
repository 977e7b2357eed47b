import { ManifestError } from '../errors.ts';
import { cpuMillis, memoryBytes, QuantityError } from './quantity.ts';
import type {
  AffinityTerm, ConfigMap, Container, ContainerPort, ContainerResources, Deployment, EnvVar, KubeObject, LabelSelector, PodDisruptionBudget, PodTemplate, Probe,
  ResourceAmounts, RestartPolicy, Scheduling, Service, Source, StatefulSet, TopologySpreadConstraint, Volume, VolumeClaimTemplate, VolumeMount,
} from './types.ts';

type Obj = Record<string, unknown>;

/** Field access that turns a wrong shape into a ManifestError naming the file, document and path. */
class Reader {
  constructor(
    readonly source: Source,
    readonly path: string,
    readonly value: unknown,
  ) {}

  fail(problem: string): never {
    throw new ManifestError(this.source.file, this.source.documentIndex, `${this.path}: ${problem}`);
  }
  at(key: string | number): Reader {
    const next = typeof key === 'number' ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key;
    const v = this.value;
    const child = v !== null && typeof v === 'object' ? (v as Obj)[key as string] : undefined;
    return new Reader(this.source, next, child);
  }
  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }
  string(fallback?: string): string {
    if (!this.present && fallback !== undefined) return fallback;
    if (typeof this.value !== 'string' || this.value === '') this.fail('expected a non-empty string');
    return this.value;
  }
  optString(): string | undefined {
    return this.present ? this.string() : undefined;
  }
  int(fallback?: number): number {
    if (!this.present && fallback !== undefined) return fallback;
    if (typeof this.value !== 'number' || !Number.isInteger(this.value)) this.fail('expected an integer');
    return this.value;
  }
  intOrString(): number | string {
    return typeof this.value === 'string' ? this.string() : this.int();
  }
  bool(fallback: boolean): boolean {
    if (!this.present) return fallback;
    if (typeof this.value !== 'boolean') this.fail('expected true or false');
    return this.value;
  }
  list(): Reader[] {
    if (!this.present) return [];
    if (!Array.isArray(this.value)) this.fail('expected a list');
    return this.value.map((_, i) => this.at(i));
  }
  /** argv-like lists: an empty string is a legitimate element (`--save ""`). */
  strings(): string[] {
    return this.list().map((r): string => {
      if (typeof r.value === 'number') return String(r.value);
      if (typeof r.value !== 'string') return r.fail('expected a string');
      return r.value;
    });
  }
  stringMap(): Record<string, string> {
    if (!this.present) return {};
    if (typeof this.value !== 'object' || Array.isArray(this.value)) this.fail('expected a map');
    return Object.fromEntries(Object.keys(this.value as Obj).map((k) => [k, this.at(k).string()]));
  }
}

export function parseObject(source: Source, raw: unknown): KubeObject | null {
  const doc = new Reader(source, '', raw);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) doc.fail('a document must be a map');
  const kind = doc.at('kind').string();
  const name = doc.at('metadata').at('name').string();
  switch (kind) {
    case 'ConfigMap':
      return { kind, name, source, data: doc.at('data').stringMap() } satisfies ConfigMap;
    case 'StatefulSet': {
      const spec = doc.at('spec');
      const policy = spec.at('podManagementPolicy').string('OrderedReady');
      if (policy !== 'OrderedReady' && policy !== 'Parallel') spec.at('podManagementPolicy').fail(`unknown policy ${policy}`);
      return {
        kind, name, source,
        annotations: doc.at('metadata').at('annotations').stringMap(),
        replicas: spec.at('replicas').int(1),
        serviceName: spec.at('serviceName').string(name),
        podManagementPolicy: policy as StatefulSet['podManagementPolicy'],
        template: podTemplate(spec.at('template')),
        volumeClaimTemplates: spec.at('volumeClaimTemplates').list().map(claimTemplate),
      } satisfies StatefulSet;
    }
    case 'Deployment': {
      const spec = doc.at('spec');
      return { kind, name, source, replicas: spec.at('replicas').int(1), template: podTemplate(spec.at('template')) } satisfies Deployment;
    }
    case 'Service': {
      const spec = doc.at('spec');
      const ports = spec.at('ports').list().map((p) => ({
        name: p.at('name').optString(),
        port: p.at('port').int(),
        targetPort: p.at('targetPort').present ? p.at('targetPort').intOrString() : p.at('port').int(),
      }));
      return { kind, name, source, type: spec.at('type').string('ClusterIP'), ports, selector: spec.at('selector').stringMap() } satisfies Service;
    }
    case 'PodDisruptionBudget': {
      const spec = doc.at('spec');
      const min = spec.at('minAvailable');
      const max = spec.at('maxUnavailable');
      if (min.present === max.present) spec.fail('a PodDisruptionBudget needs exactly one of minAvailable and maxUnavailable');
      return {
        kind, name, source, selector: labelSelector(spec.at('selector')),
        minAvailable: min.present ? min.intOrString() : undefined, maxUnavailable: max.present ? max.intOrString() : undefined,
      } satisfies PodDisruptionBudget;
    }
    default:
      return null; // other kinds are applied on Kubernetes as they are, and ignored by the local platform
  }
}

function podTemplate(t: Reader): PodTemplate {
  const spec = t.at('spec');
  const containers = spec.at('containers').list();
  if (containers.length === 0) spec.at('containers').fail('a pod needs at least one container');
  const restartPolicy = spec.at('restartPolicy').string('Always');
  if (!['Always', 'OnFailure', 'Never'].includes(restartPolicy)) spec.at('restartPolicy').fail(`unknown policy ${restartPolicy}`);
  return {
    labels: t.at('metadata').at('labels').stringMap(),
    scheduling: scheduling(spec),
    containers: containers.map(container),
    volumes: spec.at('volumes').list().map(volume),
    restartPolicy: restartPolicy as RestartPolicy,
    terminationGracePeriodSeconds: spec.at('terminationGracePeriodSeconds').int(30),
  };
}

function scheduling(spec: Reader): Scheduling {
  const terms = (affinity: Reader) => ({
    required: affinity.at('requiredDuringSchedulingIgnoredDuringExecution').list().map(affinityTerm),
    preferred: affinity.at('preferredDuringSchedulingIgnoredDuringExecution').list().map((p) => ({ weight: p.at('weight').int(), term: affinityTerm(p.at('podAffinityTerm')) })),
  });
  if (spec.at('affinity').at('nodeAffinity').present) spec.at('affinity').at('nodeAffinity').fail('nodeAffinity is not supported by the local platform; use nodeSelector');
  return {
    nodeSelector: spec.at('nodeSelector').stringMap(),
    podAffinity: terms(spec.at('affinity').at('podAffinity')),
    podAntiAffinity: terms(spec.at('affinity').at('podAntiAffinity')),
    topologySpreadConstraints: spec.at('topologySpreadConstraints').list().map((c): TopologySpreadConstraint => {
      const when = c.at('whenUnsatisfiable').string();
      if (when !== 'DoNotSchedule' && when !== 'ScheduleAnyway') c.at('whenUnsatisfiable').fail(`unknown value ${when}`);
      return { maxSkew: c.at('maxSkew').int(), topologyKey: c.at('topologyKey').string(), whenUnsatisfiable: when as TopologySpreadConstraint['whenUnsatisfiable'], labelSelector: labelSelector(c.at('labelSelector')) };
    }),
  };
}

function affinityTerm(t: Reader): AffinityTerm {
  return { labelSelector: labelSelector(t.at('labelSelector')), topologyKey: t.at('topologyKey').string() };
}

function labelSelector(s: Reader): LabelSelector {
  return {
    matchLabels: s.at('matchLabels').stringMap(),
    matchExpressions: s.at('matchExpressions').list().map((e) => {
      const operator = e.at('operator').string();
      if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator)) e.at('operator').fail(`unknown operator ${operator}`);
      return { key: e.at('key').string(), operator: operator as LabelSelector['matchExpressions'][number]['operator'], values: e.at('values').strings() };
    }),
  };
}

function container(c: Reader): Container {
  const probe = (key: string): { readinessProbe?: Probe; livenessProbe?: Probe } =>
    c.at(key).present ? { [key]: parseProbe(c.at(key)) } : {};
  return {
    name: c.at('name').string(),
    image: c.at('image').string(),
    command: c.at('command').strings(),
    args: c.at('args').strings(),
    env: c.at('env').list().map(envVar),
    ports: c.at('ports').list().map((p): ContainerPort => ({
      name: p.at('name').optString(),
      containerPort: p.at('containerPort').int(),
      protocol: p.at('protocol').string('TCP'),
    })),
    volumeMounts: c.at('volumeMounts').list().map((m): VolumeMount => ({
      name: m.at('name').string(),
      mountPath: m.at('mountPath').string(),
      readOnly: m.at('readOnly').bool(false),
    })),
    ...probe('readinessProbe'),
    ...probe('livenessProbe'),
    ...(c.at('resources').present ? { resources: resources(c.at('resources')) } : {}),
  };
}

/** `resources.limits` and `.requests`: memory and cpu read; other resources (ephemeral-storage, …) ignored. */
function resources(r: Reader): ContainerResources {
  const amounts = (a: Reader): ResourceAmounts => {
    const read = (key: 'memory' | 'cpu', convert: (raw: string | number) => number): number | undefined => {
      const q = a.at(key);
      if (!q.present) return undefined;
      const raw = q.value;
      if (typeof raw !== 'string' && typeof raw !== 'number') return q.fail('expected a quantity (e.g. 512Mi, 500m)');
      try {
        return convert(raw);
      } catch (error) {
        if (error instanceof QuantityError) return q.fail(error.message);
        throw error;
      }
    };
    const memory = read('memory', memoryBytes);
    const cpu = read('cpu', cpuMillis);
    return { ...(memory !== undefined ? { memoryBytes: memory } : {}), ...(cpu !== undefined ? { cpuMillis: cpu } : {}) };
  };
  const limits = amounts(r.at('limits'));
  // Kubernetes defaults an unset request to the limit, and refuses a request above it.
  const requests = { ...limits, ...amounts(r.at('requests')) };
  if (limits.memoryBytes !== undefined && requests.memoryBytes! > limits.memoryBytes) r.at('requests').at('memory').fail('must be less than or equal to the memory limit');
  if (limits.cpuMillis !== undefined && requests.cpuMillis! > limits.cpuMillis) r.at('requests').at('cpu').fail('must be less than or equal to the cpu limit');
  if (limits.memoryBytes === 0) r.at('limits').at('memory').fail('a memory limit of 0 would kill the container at once');
  return { limits, requests };
}

function envVar(e: Reader): EnvVar {
  const name = e.at('name').string();
  const fieldRef = e.at('valueFrom').at('fieldRef').at('fieldPath');
  if (fieldRef.present) return { name, fieldRef: fieldRef.string() };
  if (e.at('valueFrom').present) e.at('valueFrom').fail('only fieldRef is supported');
  return { name, value: e.at('value').string('') };
}

function parseProbe(p: Reader): Probe {
  const probe: Probe = {
    initialDelaySeconds: p.at('initialDelaySeconds').int(0),
    periodSeconds: p.at('periodSeconds').int(10),
    timeoutSeconds: p.at('timeoutSeconds').int(1),
    failureThreshold: p.at('failureThreshold').int(3),
  };
  if (p.at('exec').present) probe.exec = { command: p.at('exec').at('command').strings() };
  else if (p.at('tcpSocket').present) probe.tcpSocket = { port: p.at('tcpSocket').at('port').intOrString() };
  else if (p.at('httpGet').present)
    probe.httpGet = { path: p.at('httpGet').at('path').string('/'), port: p.at('httpGet').at('port').intOrString() };
  else p.fail('a probe needs exec, tcpSocket or httpGet');
  return probe;
}

function volume(v: Reader): Volume {
  const name = v.at('name').string();
  if (v.at('configMap').present) {
    // Kubernetes' default for defaultMode is 0644; YAML 1.1 parsing makes the seed's 0755 octal 493.
    return { name, kind: 'configMap', configMap: v.at('configMap').at('name').string(), defaultMode: v.at('configMap').at('defaultMode').int(0o644) };
  }
  if (v.at('emptyDir').present) return { name, kind: 'emptyDir' };
  const other = Object.keys((v.value ?? {}) as Obj).filter((k) => k !== 'name');
  return { name, kind: 'unsupported', description: other.join(',') || 'empty' };
}

function claimTemplate(c: Reader): VolumeClaimTemplate {
  return {
    name: c.at('metadata').at('name').string(),
    storage: c.at('spec').at('resources').at('requests').at('storage').optString(),
    accessModes: c.at('spec').at('accessModes').strings(),
    storageClassName: c.at('spec').at('storageClassName').optString(),
  };
}
