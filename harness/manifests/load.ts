import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ManifestError } from '../errors.ts';
import { documentLines } from './lines.ts';
import { parseObject } from './parse.ts';
import type { DocumentLines, KubeObject, ManifestSet } from './types.ts';

/**
 * Reads every .yaml/.yml file under `dir` (recursively, in sorted order).
 * Parsed as YAML 1.1 because that is what Kubernetes reads: `defaultMode: 0755` is octal 493 there,
 * decimal 755 under YAML 1.2. Any document error or warning about the syntax is fatal.
 */
export async function loadManifests(dir: string): Promise<ManifestSet> {
  const root = path.resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new ManifestError(dir, null, 'not a directory (expected a folder of Kubernetes YAML files)');
  const files = await yamlFiles(root);
  if (files.length === 0) throw new ManifestError(dir, null, 'no .yaml or .yml files found');
  const set: ManifestSet = { dir: root, files, objects: [], documents: [] };
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const shown = path.relative(process.cwd(), file) || file;
    for (const [documentIndex, object, raw, lines] of parseFile(shown, text)) {
      const source = { file: shown, documentIndex };
      set.documents.push({ source, object: raw, lines });
      if (object) set.objects.push(object);
    }
  }
  return set;
}

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

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
