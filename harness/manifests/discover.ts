import path from 'node:path/posix';
import nodePath from 'node:path';
import { ManifestError } from '../errors.ts';
import { parseRedisConf } from './redis-config.ts';
import type { ConfigMap, Container, Deployment, ManifestSet, Service, StatefulSet, Workload } from './types.ts';

/**
 * Which objects of the manifests are the system under test, found by what they run rather than by
 * what they are called (issue 17 §2): the Redis StatefulSet, its container, client port and
 * config file, and the app's Deployment. Where the manifests cannot tell, the user chooses.
 */

/** What the user chose where the manifests cannot say: `--statefulset NAME`. */
export interface NameChoices {
  statefulSet?: string | null;
}

/** Where a container reads its redis.conf from, when it comes from a ConfigMap. */
export interface ConfigFile {
  path: string;
  configMap: string;
  key: string;
}

/** A folder or file as messages show it: relative to the working directory when below it, else absolute. */
export function shownPath(p: string): string {
  const rel = nodePath.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') || nodePath.isAbsolute(rel) ? p : rel;
}

/**
 * The StatefulSet whose pods run `redis-server` with `cluster-enabled yes`. `--statefulset NAME`
 * decides when given. A lone StatefulSet is taken as it is: there is nothing to choose between,
 * and the local platform turns cluster mode on itself. Otherwise exactly one must qualify, or the
 * error names the choice needed.
 */
export function findRedisStatefulSet(manifests: ManifestSet, statefulSets: StatefulSet[], configMaps: Map<string, ConfigMap>, choices: NameChoices = {}): StatefulSet {
  const dir = shownPath(manifests.dir);
  const names = statefulSets.map((s) => s.name).join(', ');
  if (choices.statefulSet) {
    const chosen = statefulSets.find((s) => s.name === choices.statefulSet);
    if (!chosen) throw new ManifestError(dir, null, `--statefulset ${choices.statefulSet}: no such StatefulSet; present: ${statefulSets.length ? names : 'none'}`);
    return chosen;
  }
  if (statefulSets.length === 0) throw new ManifestError(dir, null, 'no StatefulSet found: the Redis pods must be a StatefulSet');
  if (statefulSets.length === 1) return statefulSets[0]!;
  const qualifying = statefulSets.filter((s) => s.template.containers.some((c) => runsClusterRedis(s, c, configMaps)));
  if (qualifying.length === 1) return qualifying[0]!;
  if (qualifying.length > 1) {
    throw new ManifestError(dir, null, `${qualifying.length} StatefulSets run redis-server with cluster-enabled yes (${qualifying.map((s) => s.name).join(', ')}): choose one with --statefulset NAME`);
  }
  throw new ManifestError(dir, null, `none of the ${statefulSets.length} StatefulSets (${names}) runs redis-server with cluster-enabled yes: choose the Redis one with --statefulset NAME`);
}

/** The container that runs Redis in cluster mode, else the one that runs redis-server, else the first. */
export function redisContainerOf(set: StatefulSet, configMaps: Map<string, ConfigMap>): Container {
  const { containers } = set.template;
  return containers.find((c) => runsClusterRedis(set, c, configMaps)) ?? containers.find((c) => runsRedisServer(set, c, configMaps)) ?? containers[0]!;
}

/**
 * redis-server's own `--key value ...` from the container's argv (command, then args). Redis reads
 * them after its config file, so they win over it.
 */
export function commandLineConfig(container: Container): Map<string, string> {
  const argv = [...container.command, ...container.args];
  const server = argv.findIndex(isRedisServer);
  // The official image's entrypoint puts redis-server in front of args that start with `-`.
  const from = server !== -1 ? server + 1 : container.command.length === 0 && argv[0]?.startsWith('-') ? 0 : argv.length;
  const settings = new Map<string, string>();
  for (let i = from; i < argv.length; i++) {
    if (!argv[i]!.startsWith('--')) continue;
    const values: string[] = [];
    for (let j = i + 1; j < argv.length && !argv[j]!.startsWith('--'); j++) values.push(argv[j]!);
    settings.set(argv[i]!.slice(2).toLowerCase(), values.join(' '));
  }
  return settings;
}

// How charts and operators name the Redis client port (Bitnami: tcp-redis; others: redis, client).
const CLIENT_PORT_NAMES = /^(tcp-)?(redis|client)(-client)?$/i;
const REDIS_DEFAULT_PORT = 6379;

/**
 * The port Redis listens on for clients: its own `port` setting when the config says (that is
 * where it listens, whatever the ports list declares); else a container port named for it; else
 * Redis' default 6379 if declared; else the first declared; else 6379.
 */
export function clientPortOf(container: Container, config: Map<string, string>): number {
  const configured = Number(config.get('port'));
  if (Number.isInteger(configured) && configured > 0) return configured;
  const ports = container.ports;
  return (ports.find((p) => p.name && CLIENT_PORT_NAMES.test(p.name)) ?? ports.find((p) => p.containerPort === REDIS_DEFAULT_PORT) ?? ports[0])?.containerPort ?? REDIS_DEFAULT_PORT;
}

/**
 * The redis.conf the container's argv names, from a ConfigMap volume. `strict`: a file named on
 * the command line that its ConfigMap lacks is an error; when merely looking (is this Redis?), it
 * is no file.
 */
export function findConfigFile(set: StatefulSet, container: Container, configMaps: Map<string, ConfigMap>, strict = true): ConfigFile | undefined {
  for (const arg of [...container.command, ...container.args]) {
    if (!arg.endsWith('.conf')) continue;
    const found = configMapFile(set, container, configMaps, arg);
    if (!found) continue;
    if (found.text === undefined) {
      if (!strict) return undefined;
      const cm = configMaps.get(found.configMap)!;
      throw new ManifestError(cm.source.file, cm.source.documentIndex, `ConfigMap "${cm.name}" has no key "${found.key}", which the command reads as ${arg}`);
    }
    return { path: arg, configMap: found.configMap, key: found.key };
  }
  return undefined;
}

/** Whether a Service sends traffic to the workload's pods: a non-empty selector its labels match. */
export function selects(service: Service, workload: Workload): boolean {
  const entries = Object.entries(service.selector);
  return entries.length > 0 && entries.every(([k, v]) => workload.template.labels[k] === v);
}

/** The Services that reach the Redis pods: its governing (often headless) one, and any selecting them. */
export function redisServicesOf(set: StatefulSet, services: Service[]): Service[] {
  return services.filter((s) => s.name === set.serviceName || selects(s, set));
}

const HIT_COUNTER = 'redis-chaos/hit-counter';

/**
 * The app's Deployment: the one running this repository's hit counter; else the only Deployment;
 * else the one Deployment whose env names a Redis Service (`REDIS_NODES=cache:6379`), as the app is
 * Redis' client. Anything else is no app, with the reason (`why`), which a run that needs the app
 * reports in one line (requireApp) and advise, which does not, ignores.
 */
export function findApp(deployments: Deployment[], redisServices: Service[]): { deployment: Deployment | undefined; why: string } {
  const hitCounter = deployments.find((d) => d.template.containers.some((c) => c.image.startsWith(HIT_COUNTER)));
  if (hitCounter) return { deployment: hitCounter, why: '' };
  if (deployments.length === 1) return { deployment: deployments[0], why: '' };
  if (deployments.length === 0) return { deployment: undefined, why: `no Deployment for the app: the harness puts its load through the hit counter (app/hit-counter), a Deployment of ${HIT_COUNTER}` };
  const names = new Set(redisServices.map((s) => s.name));
  const clients = deployments.filter((d) => d.template.containers.some((c) => c.env.some((e) => e.value !== undefined && hostsIn(e.value).some((h) => h.split('.').some((part) => names.has(part))))));
  if (clients.length === 1) return { deployment: clients[0], why: '' };
  return {
    deployment: undefined,
    why: `${deployments.length} Deployments (${deployments.map((d) => d.name).join(', ')}), none runs ${HIT_COUNTER} and ${clients.length === 0 ? 'none' : `${clients.length} (${clients.map((d) => d.name).join(', ')})`} names a Redis Service (${[...names].join(', ') || 'none'}) in its env: the harness cannot tell which is the app`,
  };
}

/** The host names in an env value such as `cache:6379,cache-1.cache-peers:6379` or `redis://user@cache:6379/0`. */
function hostsIn(value: string): string[] {
  return value.split(/[\s,;]+/).map((t) => t.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^@/]*@/, '').split(/[:/]/)[0]!).filter(Boolean);
}

const isRedisServer = (arg: string) => path.basename(arg) === 'redis-server';
// The official image (and mirrors of it): with no command, its entrypoint runs redis-server.
const OFFICIAL_REDIS = /(^|\/)redis(:[^/]*|@[^/]*)?$/;

/**
 * What the container runs, as words: its argv split on whitespace (a `sh -c` script is one
 * element), plus the words of any script of its own ConfigMaps that the argv runs.
 */
function words(set: StatefulSet, container: Container, configMaps: Map<string, ConfigMap>): string[] {
  const argv = [...container.command, ...container.args].flatMap((a) => a.split(/\s+/)).filter(Boolean);
  const scripts = argv.flatMap((a) => {
    if (!a.startsWith('/')) return [];
    const text = configMapFile(set, container, configMaps, a)?.text;
    return text === undefined ? [] : text.split(/\s+/).filter(Boolean);
  });
  return [...argv, ...scripts].map((w) => w.replace(/^["']|["']$/g, ''));
}

function runsRedisServer(set: StatefulSet, container: Container, configMaps: Map<string, ConfigMap>, w = words(set, container, configMaps)): boolean {
  return (container.command.length === 0 && OFFICIAL_REDIS.test(container.image)) || w.some(isRedisServer);
}

function runsClusterRedis(set: StatefulSet, container: Container, configMaps: Map<string, ConfigMap>): boolean {
  const w = words(set, container, configMaps);
  if (!runsRedisServer(set, container, configMaps, w)) return false;
  if (w.some((x, i) => x.toLowerCase() === '--cluster-enabled' && w[i + 1]?.toLowerCase() === 'yes')) return true;
  const file = findConfigFile(set, container, configMaps, false);
  const text = file && configMaps.get(file.configMap)?.data[file.key];
  return text !== undefined && parseRedisConf(text).get('cluster-enabled')?.toLowerCase() === 'yes';
}

/** A path in the container that a ConfigMap volume provides: its ConfigMap, key and text (undefined: no such key). */
function configMapFile(set: StatefulSet, container: Container, configMaps: Map<string, ConfigMap>, file: string): { configMap: string; key: string; text: string | undefined } | undefined {
  for (const mount of container.volumeMounts) {
    const volume = set.template.volumes.find((v) => v.name === mount.name);
    if (volume?.kind !== 'configMap') continue;
    const rel = path.relative(mount.mountPath, file);
    if (rel.startsWith('..') || rel.includes('/')) continue;
    return { configMap: volume.configMap, key: rel, text: configMaps.get(volume.configMap)?.data[rel] };
  }
  return undefined;
}
