import { ManifestError } from '../errors.ts';
import { clientPortOf, commandLineConfig, findApp, findConfigFile, findRedisStatefulSet, redisContainerOf, redisServicesOf, selects, shownPath, type ConfigFile, type NameChoices } from './discover.ts';
import { parseRedisConf, REDIS_DEFAULT_NODE_TIMEOUT_MS } from './redis-config.ts';
import { loadManifests } from './load.ts';
import type { ConfigMap, Container, Deployment, KubeObject, ManifestSet, Service, StatefulSet, Workload } from './types.ts';

import { shapeOf, type ClusterShape } from './shape.ts';

export type { ClusterShape } from './shape.ts';

export interface RedisSide {
  statefulSet: StatefulSet;
  container: Container;
  service: Service | undefined;
  clientPort: number;
  /** Redis' cluster bus listens on client port + 10000 unless `cluster-port` says otherwise. */
  busPort: number;
  /** Where the container reads its redis.conf from, when it comes from a ConfigMap. */
  configFile: ConfigFile | undefined;
  /** Redis' settings: its redis.conf, then redis-server's command line, which wins as in Redis. */
  config: Map<string, string>;
  nodeTimeoutMs: number;
}

export interface AppSide {
  deployment: Deployment;
  container: Container;
  service: Service | undefined;
  port: number;
}

/** The validated manifests, resolved into what the harness drives: Redis pods and the app. */
export interface SystemUnderTest {
  manifests: ManifestSet;
  shape: ClusterShape;
  configMaps: Map<string, ConfigMap>;
  redis: RedisSide;
  app: AppSide | undefined;
}

/**
 * What the run chooses where the manifests alone cannot say. `shape` replaces the derived shape
 * outright (test fixtures of one pod); `replicasPerMaster` is --replicas-per-master; `statefulSet`
 * (--statefulset) names the Redis StatefulSet where discovery cannot tell (discover.ts). A run's
 * options carry both under these names, so entry points pass their options as they are.
 */
export interface SystemChoices extends NameChoices {
  replicasPerMaster?: number | null;
  shape?: ClusterShape;
}

/** The manifests in `dir`, read and resolved: what every entry point (preflight, session, gate, explore) starts from. */
export const loadSystem = async (dir: string, choices: SystemChoices = {}): Promise<SystemUnderTest> => resolveSystem(await loadManifests(dir), choices);

export function resolveSystem(manifests: ManifestSet, choices: SystemChoices = {}): SystemUnderTest {
  const of = <K extends KubeObject['kind']>(kind: K) => manifests.objects.filter((o): o is Extract<KubeObject, { kind: K }> => o.kind === kind);
  const configMaps = new Map(of('ConfigMap').map((c) => [c.name, c]));
  const services = of('Service');
  for (const workload of [...of('StatefulSet'), ...of('Deployment')]) checkWorkload(workload, configMaps);
  for (const service of services) checkServicePorts(service);

  const statefulSet = findRedisStatefulSet(manifests, of('StatefulSet'), configMaps, choices);
  const shape = choices.shape ?? shapeOf(statefulSet, choices.replicasPerMaster);
  const container = redisContainerOf(statefulSet, configMaps);
  const configFile = findConfigFile(statefulSet, container, configMaps);
  const fileConfig = configFile ? parseRedisConf(configMaps.get(configFile.configMap)!.data[configFile.key]!) : new Map<string, string>();
  const commandLine = commandLineConfig(container);
  const config = new Map([...fileConfig, ...commandLine]);
  const clientPort = clientPortOf(container, config);
  const nodeTimeout = config.get('cluster-node-timeout');
  const nodeTimeoutMs = nodeTimeout === undefined ? REDIS_DEFAULT_NODE_TIMEOUT_MS : Number(nodeTimeout);
  if (!Number.isInteger(nodeTimeoutMs) || nodeTimeoutMs <= 0) {
    const { source } = commandLine.has('cluster-node-timeout') ? statefulSet : configMaps.get(configFile!.configMap)!;
    throw new ManifestError(source.file, source.documentIndex, `cluster-node-timeout "${nodeTimeout}" is not a positive integer`);
  }
  const busPort = config.has('cluster-port') && config.get('cluster-port') !== '0' ? Number(config.get('cluster-port')) : clientPort + 10000;
  const redis: RedisSide = {
    statefulSet, container, clientPort, busPort, configFile, config, nodeTimeoutMs,
    service: services.find((s) => s.name === statefulSet.serviceName) ?? services.find((s) => selects(s, statefulSet)),
  };
  return { manifests, shape, configMaps, redis, app: resolveApp(of('Deployment'), services, redisServicesOf(statefulSet, services)) };
}

function resolveApp(deployments: Deployment[], services: Service[], redisServices: Service[]): AppSide | undefined {
  const { deployment } = findApp(deployments, redisServices);
  if (!deployment) return undefined;
  const container = deployment.template.containers[0]!;
  const port = container.ports[0]?.containerPort ?? 5000;
  return { deployment, container, port, service: services.find((s) => selects(s, deployment)) };
}

function checkWorkload(workload: Workload, configMaps: Map<string, ConfigMap>): void {
  const { file, documentIndex } = workload.source;
  for (const v of workload.template.volumes) {
    if (v.kind === 'configMap' && !configMaps.has(v.configMap)) {
      throw new ManifestError(file, documentIndex, `volume "${v.name}" references ConfigMap "${v.configMap}", which is not in the manifests`);
    }
  }
  for (const c of workload.template.containers) {
    c.ports.forEach((p, i) => {
      if (workload.kind === 'StatefulSet' && !p.name) {
        throw new ManifestError(file, documentIndex, `container "${c.name}" port ${i} (${p.containerPort}) has no name`);
      }
    });
    for (const m of c.volumeMounts) {
      if (!workload.template.volumes.some((v) => v.name === m.name) && !(workload.kind === 'StatefulSet' && workload.volumeClaimTemplates.some((t) => t.name === m.name))) {
        throw new ManifestError(file, documentIndex, `container "${c.name}" mounts "${m.name}", which is neither a volume nor a volumeClaimTemplate`);
      }
    }
  }
}

function checkServicePorts(service: Service): void {
  // Kubernetes itself rejects an unnamed port on a Service with more than one.
  if (service.ports.length < 2) return;
  service.ports.forEach((p, i) => {
    if (!p.name) throw new ManifestError(service.source.file, service.source.documentIndex, `Service "${service.name}" port ${i} (${p.port}) has no name`);
  });
}

/** The app, for a run that drives load through it: one line saying why when the manifests have none to offer. */
export function requireApp(system: SystemUnderTest): AppSide {
  if (system.app) return system.app;
  const { manifests, redis } = system;
  const services = manifests.objects.filter((o): o is Service => o.kind === 'Service');
  const { why } = findApp(manifests.objects.filter((o): o is Deployment => o.kind === 'Deployment'), redisServicesOf(redis.statefulSet, services));
  throw new ManifestError(shownPath(manifests.dir), null, why || 'no Deployment for the app');
}
