import path from 'node:path/posix';
import { lineAt, loadManifests, pointer, resolveSystem, type FieldPath, type ManifestSet, type NameChoices, type Source } from '../manifests/index.ts';
import type { ConfigEntry, Location, Script, Subject } from './types.ts';

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);
const isRedisServer = (arg: string) => path.basename(arg) === 'redis-server';
// The official image's WORKDIR, where `dir ./` (Redis' default) puts nodes.conf and the AOF.
const OFFICIAL_IMAGE = /^(docker\.io\/)?(library\/)?redis[:@]/;

/** Loads and validates a folder as `npm run scenarios` does (bad input is a ManifestError, exit 2), then resolves it for the rules. */
export async function loadSubject(dir: string, choices: NameChoices = {}): Promise<Subject> {
  return subjectOf(await loadManifests(dir), choices);
}

export function subjectOf(set: ManifestSet, choices: NameChoices = {}): Subject {
  const system = resolveSystem(set, choices);
  const { redis } = system;
  const sts = redis.statefulSet;
  const index = sts.template.containers.indexOf(redis.container);
  const containerPath: FieldPath = ['spec', 'template', 'spec', 'containers', index];
  const doc = (source: Source) => set.documents.find((d) => d.source.file === source.file && d.source.documentIndex === source.documentIndex)!;
  const at = (source: Source, p: FieldPath): Location => ({ file: source.file, line: lineAt(doc(source).lines, p) });
  const inContainer = (...p: FieldPath) => at(sts.source, [...containerPath, ...p]);

  /** A ConfigMap key's text, each line located: the text of a literal block starts a line below its key. */
  const configMapText = (name: string, key: string, label: string): Script | undefined => {
    const cm = system.configMaps.get(name);
    const text = cm?.data[key];
    if (!cm || text === undefined) return undefined;
    const lines = doc(cm.source).lines;
    const first = lines.blocks[pointer(['data', key])];
    return { label, text, lineAt: (i) => ({ file: cm.source.file, line: first === undefined ? lineAt(lines, ['data', key]) : first + i }) };
  };

  /**
   * An argv's script: `sh -c TEXT`, a file from a ConfigMap volume (run directly or by a shell), or,
   * for a probe, the argv itself. Each is labelled as a message names it: `update-node.sh`, `redis-cli ping`.
   */
  const scriptOf = (argv: string[], argAt: (i: number) => Location, fallback: boolean): Script | undefined => {
    const shell = argv[0] !== undefined && SHELLS.has(path.basename(argv[0]));
    if (shell && argv[1] === '-c' && argv[2] !== undefined) return { label: `${argv.slice(0, 2).join(' ')} "${clip(argv[2])}"`, text: argv[2], lineAt: () => argAt(2) };
    const file = shell ? argv[1] : argv[0];
    const mount = file === undefined || isRedisServer(file) ? undefined : redis.container.volumeMounts.find((m) => {
      const rel = path.relative(m.mountPath, file);
      return sts.template.volumes.some((v) => v.name === m.name && v.kind === 'configMap') && !rel.startsWith('..') && !rel.includes('/');
    });
    const volume = mount && sts.template.volumes.find((v) => v.name === mount.name);
    const fromConfigMap = volume?.kind === 'configMap' ? configMapText(volume.configMap, path.relative(mount!.mountPath, file!), path.basename(file!)) : undefined;
    return fromConfigMap ?? (fallback ? { label: clip(argv.join(' ')), text: argv.join(' '), lineAt: () => argAt(0) } : undefined);
  };

  const argv = [...redis.container.command, ...redis.container.args];
  const argvAt = (i: number) => (i < redis.container.command.length ? inContainer('command', i) : inContainer('args', i - redis.container.command.length));
  const startScript = argv.length > 0 && !isRedisServer(argv[0]!) ? scriptOf(argv, argvAt, false) : undefined;

  // redis.conf first, then redis-server's `--key value ...` (the kubelet expands `$(VAR)`; the text is kept as written).
  const config = new Map<string, ConfigEntry>();
  const conf = redis.configFile ? configMapText(redis.configFile.configMap, redis.configFile.key, redis.configFile.key) : undefined;
  conf?.text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [key, ...rest] = line.split(/\s+/);
    if (key) config.set(key.toLowerCase(), { value: rest.join(' '), at: conf.lineAt(i) });
  });
  const server = argv.findIndex(isRedisServer);
  if (server !== -1) {
    for (let i = server + 1; i < argv.length; i++) {
      if (!argv[i]!.startsWith('--')) continue;
      const values: string[] = [];
      for (let j = i + 1; j < argv.length && !argv[j]!.startsWith('--'); j++) values.push(argv[j]!);
      config.set(argv[i]!.slice(2).toLowerCase(), { value: values.join(' '), at: argvAt(i) });
    }
  }
  const configHome = conf ? conf.lineAt(0) : inContainer('command');

  const rawContainer = (doc(sts.source).object as { spec?: { template?: { spec?: { containers?: { workingDir?: unknown }[] } } } }).spec?.template?.spec?.containers?.[index];
  const workDir = typeof rawContainer?.workingDir === 'string' ? rawContainer.workingDir : OFFICIAL_IMAGE.test(redis.container.image) ? '/data' : undefined;
  const dirValue = unquote(config.get('dir')?.value ?? '');
  const dataDir = dirValue.startsWith('/') ? path.normalize(dirValue) : workDir === undefined ? undefined : path.join(workDir, dirValue || '.');
  const nodesConfFile = unquote(config.get('cluster-config-file')?.value ?? 'nodes.conf');
  const nodesConf = { file: nodesConfFile, path: nodesConfFile.startsWith('/') ? nodesConfFile : dataDir === undefined ? undefined : path.join(dataDir, nodesConfFile) };

  const storageOf = (p: string) => {
    const mount = redis.container.volumeMounts
      .filter((m) => p === m.mountPath || p.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
      .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
    if (!mount) return { persistent: false, mount: undefined };
    const volume = sts.template.volumes.find((v) => v.name === mount.name);
    const claim = sts.volumeClaimTemplates.some((t) => t.name === mount.name) || (volume?.kind === 'unsupported' && volume.description.includes('persistentVolumeClaim'));
    return { persistent: claim, mount: mount.mountPath };
  };

  return {
    system, redis, containerPath, at, config, configHome, startScript, dataDir, nodesConf, storageOf,
    probeScript: (probe) => {
      const p = redis.container[probe];
      if (!p?.exec) return undefined;
      return scriptOf(p.exec.command, (i) => inContainer(probe, 'exec', 'command', i), true);
    },
    raw: (kind) => set.documents.filter((d) => d.object.kind === kind),
  };
}

/** A command as one short line, for a message. */
function clip(text: string): string {
  const one = text.trim().replace(/\s*\n\s*/g, '; ');
  return one.length > 48 ? `${one.slice(0, 47).trimEnd()}…` : one;
}

/** redis.conf's `""` and `''` are the empty string (`save ""` turns snapshots off). */
export const unquote = (value: string) => value.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');

/** The lines of a script that run: blank lines and comments dropped, each with its index in the text. */
export function codeLines(script: Script): { text: string; index: number }[] {
  return script.text.split('\n').map((text, index) => ({ text: text.trim(), index })).filter((l) => l.text !== '' && !l.text.startsWith('#'));
}
