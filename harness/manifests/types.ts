/** Typed views of the Kubernetes objects the harness reads. Only the fields it uses are modelled. */

export interface Source {
  file: string;
  documentIndex: number;
}

export interface EnvVar {
  name: string;
  value?: string;
  /** `valueFrom.fieldRef.fieldPath`, e.g. `status.podIP`. */
  fieldRef?: string;
}

export interface ContainerPort {
  name: string | undefined;
  containerPort: number;
  protocol: string;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly: boolean;
}

export interface Probe {
  exec?: { command: string[] };
  tcpSocket?: { port: number | string };
  httpGet?: { path: string; port: number | string };
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

export interface Container {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env: EnvVar[];
  ports: ContainerPort[];
  volumeMounts: VolumeMount[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  /** `resources`; absent when the container sets none (no limit, as on Kubernetes without a LimitRange). */
  resources?: ContainerResources;
}

/** One of `resources.limits` / `resources.requests`, in the units the kernel takes. */
export interface ResourceAmounts {
  /** Bytes, rounded up as the API server rounds them. */
  memoryBytes?: number;
  /** Millicores: `500m` and `0.5` are both 500. */
  cpuMillis?: number;
}

/** A requested amount left unset is the limit, as Kubernetes defaults it. */
export interface ContainerResources {
  limits: ResourceAmounts;
  requests: ResourceAmounts;
}

export type Volume =
  | { name: string; kind: 'configMap'; configMap: string; defaultMode: number }
  | { name: string; kind: 'emptyDir' }
  | { name: string; kind: 'unsupported'; description: string };

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** `matchLabels` and `matchExpressions`, as every Kubernetes label selector has them. */
export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] }[];
}

/** A pod (anti-)affinity term: pods the selector matches, within one domain of `topologyKey`. */
export interface AffinityTerm {
  labelSelector: LabelSelector;
  topologyKey: string;
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector: LabelSelector;
}

/** What the scheduler reads of a pod spec. */
export interface Scheduling {
  nodeSelector: Record<string, string>;
  podAffinity: { required: AffinityTerm[]; preferred: { weight: number; term: AffinityTerm }[] };
  podAntiAffinity: { required: AffinityTerm[]; preferred: { weight: number; term: AffinityTerm }[] };
  topologySpreadConstraints: TopologySpreadConstraint[];
}

export interface PodTemplate {
  labels: Record<string, string>;
  scheduling: Scheduling;
  containers: Container[];
  volumes: Volume[];
  restartPolicy: RestartPolicy;
  terminationGracePeriodSeconds: number;
}

export interface VolumeClaimTemplate {
  name: string;
  storage: string | undefined;
  accessModes: string[];
  storageClassName: string | undefined;
}

export interface ConfigMap {
  kind: 'ConfigMap';
  name: string;
  source: Source;
  data: Record<string, string>;
}

export interface StatefulSet {
  kind: 'StatefulSet';
  name: string;
  source: Source;
  annotations: Record<string, string>;
  replicas: number;
  serviceName: string;
  podManagementPolicy: 'OrderedReady' | 'Parallel';
  template: PodTemplate;
  volumeClaimTemplates: VolumeClaimTemplate[];
}

export interface Deployment {
  kind: 'Deployment';
  name: string;
  source: Source;
  replicas: number;
  template: PodTemplate;
}

export interface ServicePort {
  name: string | undefined;
  port: number;
  targetPort: number | string;
}

export interface Service {
  kind: 'Service';
  name: string;
  source: Source;
  type: string;
  ports: ServicePort[];
  selector: Record<string, string>;
}

/** Exactly one of `minAvailable` and `maxUnavailable`, each a count or a percentage (`50%`). */
export interface PodDisruptionBudget {
  kind: 'PodDisruptionBudget';
  name: string;
  source: Source;
  minAvailable: number | string | undefined;
  maxUnavailable: number | string | undefined;
  selector: LabelSelector;
}

export type Workload = StatefulSet | Deployment;
export type KubeObject = ConfigMap | StatefulSet | Deployment | Service | PodDisruptionBudget;

/** Where a document's fields are in its file (1-based lines), keyed by JSON pointer (`/spec/replicas`). */
export interface DocumentLines {
  /** Each map key's and list item's line; `''` is the document's first line. */
  fields: Record<string, number>;
  /** Each literal block scalar's (`|`) first line of text: its text's line i is at `blocks[p] + i`. */
  blocks: Record<string, number>;
}

/** Everything read from a manifests folder, plus the raw documents for server-side apply. */
export interface ManifestSet {
  dir: string;
  files: string[];
  objects: KubeObject[];
  /** The documents as plain objects, in file order; what the Kubernetes platform applies. `lines` is for messages that point into the file. */
  documents: { source: Source; object: Record<string, unknown>; lines: DocumentLines }[];
}
