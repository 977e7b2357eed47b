import type { ScenarioName } from '../../scenarios/expectations.ts';
import type { FieldPath, RedisSide, Source, SystemUnderTest } from '../manifests/index.ts';

/** A risk fails a scenario on manifests that have it; a note is worth knowing and fails none by itself. */
export type Severity = 'risk' | 'note';

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  /** The scenario that shows what the finding costs. */
  scenario: ScenarioName;
  file: string;
  line: number;
}

export interface Location {
  file: string;
  line: number;
}

/** One redis.conf directive in force, and where it was set: a line of the ConfigMap, or redis-server's command line. */
export interface ConfigEntry {
  value: string;
  at: Location;
}

/** Shell text a container runs (a start script, a probe), with the location of each of its lines. */
export interface Script {
  /** How a message names it: `update-node.sh`, `the liveness probe's command`. */
  label: string;
  text: string;
  lineAt(index: number): Location;
}

/** What every rule reads: the validated manifests, resolved once, with where each thing is written. */
export interface Subject {
  system: SystemUnderTest;
  redis: RedisSide;
  /** The Redis container's path in its StatefulSet's document. */
  containerPath: FieldPath;
  /** Where a field of an object's document is (its nearest written ancestor if it is not written). */
  at(source: Source, path: FieldPath): Location;
  /** redis.conf, then redis-server's own `--key value` arguments over it, as Redis applies them. */
  config: Map<string, ConfigEntry>;
  /** Where an unset directive would go: the first line of the redis.conf text, or the container's command. */
  configHome: Location;
  /** The script the container runs before `exec redis-server`, if any. */
  startScript: Script | undefined;
  probeScript(probe: 'readinessProbe' | 'livenessProbe'): Script | undefined;
  /** Redis' working folder (`dir`), where nodes.conf, the AOF and the RDB go; undefined when the image's default is unknown. */
  dataDir: string | undefined;
  /** `cluster-config-file` (default nodes.conf) as written, and its full path; undefined when relative to an unknown `dir`. */
  nodesConf: { file: string; path: string | undefined };
  /** Whether a path in the container outlives the pod (a PersistentVolumeClaim), and the mount that holds it. */
  storageOf(path: string): { persistent: boolean; mount: string | undefined };
  /** The raw documents of a kind the loader does not model (NetworkPolicy). */
  raw(kind: string): { source: Source; object: Record<string, unknown> }[];
}

export interface Rule {
  id: string;
  /** One line for docs/advise.md and `--help`: what it fires on. */
  summary: string;
  check(subject: Subject): Finding[];
}
