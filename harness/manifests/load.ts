import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ManifestError } from '../errors.ts';
import { shownPath } from './discover.ts';
import { KUSTOMIZATION_FILES, kustomizationIn, renderKustomization } from './kustomize.ts';
import { documentLines } from './lines.ts';
import { parseObject } from './parse.ts';
import type { DocumentLines, KubeObject, ManifestSet } from './types.ts';

/**
 * Reads a manifest folder: a kustomization (a kustomization.yaml at its top), rendered by kubectl;
 * else every .yaml/.yml file under `dir`, in any layout (recursively, in sorted order, hidden
 * folders skipped), each with any number of documents. Other files are ignored.
 * Parsed as YAML 1.1 because that is what Kubernetes reads: `defaultMode: 0755` is octal 493 there,
 * decimal 755 under YAML 1.2. Any document error or warning about the syntax is fatal.
 */
export async function loadManifests(dir: string, options: { signal?: AbortSignal } = {}): Promise<ManifestSet> {
  const root = path.resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new ManifestError(dir, null, 'not a directory (expected a folder of Kubernetes YAML files)');
  const kustomization = kustomizationIn(root);
  if (kustomization) {
    const shown = shownPath(kustomization);
    // One stream: its objects are named by the kustomization, and by their place in what it renders.
    const set: ManifestSet = { dir: root, files: [kustomization], objects: [], documents: [] };
    addDocuments(set, `${shown} (rendered)`, await renderKustomization(root, shown, options));
    return set;
  }
  const files = await yamlFiles(root);
  // Below the top, a kustomization is an overlay or a base of one: which to render is the user's choice.
  const nested = files.filter((f) => KUSTOMIZATION_FILES.includes(path.basename(f)));
  if (nested.length > 0) {
    const folders = nested.map((f) => shownPath(path.dirname(f)));
    throw new ManifestError(shownPath(root), null, `no kustomization at the top, but ${nested.length === 1 ? 'one' : nested.length} below it (${nested.map(shownPath).join(', ')}): choose the one to render with --manifests ${folders.length === 1 ? folders[0] : 'DIR'}`);
  }
  if (files.length === 0) throw new ManifestError(dir, null, 'no .yaml or .yml files found');
  const set: ManifestSet = { dir: root, files, objects: [], documents: [] };
  for (const file of files) addDocuments(set, relativePath(file), await readFile(file, 'utf8'));
  return set;
}

function addDocuments(set: ManifestSet, shown: string, text: string): void {
  for (const [documentIndex, object, raw, lines] of parseFile(shown, text)) {
    const source = { file: shown, documentIndex };
    set.documents.push({ source, object: raw, lines });
    if (object) set.objects.push(object);
  }
}

// Plain files as they always were shown: relative to the working directory.
const relativePath = (file: string) => path.relative(process.cwd(), file) || file;

export function parseFile(file: string, text: string): [number, KubeObject | null, Record<string, unknown>, DocumentLines][] {
  const out: [number, KubeObject | null, Record<string, unknown>, DocumentLines][] = [];
  const counter = new LineCounter();
  parseAllDocuments(text, { version: '1.1', prettyErrors: false, lineCounter: counter }).forEach((doc, index) => {
    const problem = doc.errors[0];
    if (problem) throw new ManifestError(file, index, `invalid YAML: ${problem.message.split('\n')[0]}`);
    const raw: unknown = doc.toJS({ maxAliasCount: 100 });
    if (raw === null || raw === undefined) return; // an empty document, e.g. a trailing `---`
    const source = { file, documentIndex: index };
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ManifestError(file, index, 'a document must be a map');
    out.push([index, parseObject(source, raw), raw as Record<string, unknown>, documentLines(doc, counter)]);
  });
  return out;
}

/** The YAML files under `dir`, and any `Kustomization` (kustomize's extensionless name); hidden files and folders (.git, .github) are not manifests. */
async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && (/\.ya?ml$/.test(e.name) || e.name === 'Kustomization'))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => !path.relative(dir, f).split(path.sep).some((part) => part.startsWith('.')))
    .sort();
}
