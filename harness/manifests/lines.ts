import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { DocumentLines } from './types.ts';

/** A field's path inside a document, as keys and list indexes: ['spec', 'template', 'spec', 'containers', 0]. */
export type FieldPath = readonly (string | number)[];

/** RFC 6901, so that keys with dots or slashes (`update-node.sh`, `redis-chaos/bootstrap`) stay one segment. */
export const pointer = (path: FieldPath): string => path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** Every key's and list item's line in one parsed document (1-based, as editors and `file:line` show them). */
export function documentLines(doc: Document, counter: LineCounter): DocumentLines {
  const lines: DocumentLines = { fields: {}, blocks: {} };
  const line = (offset: number) => counter.linePos(offset).line;
  const walk = (node: unknown, path: string) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : null;
        if (key === null) continue;
        const at = `${path}${pointer([key])}`;
        if ((pair.key as Node).range) lines.fields[at] = line((pair.key as Node).range![0]);
        walk(pair.value, at);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const at = `${path}/${i}`;
        if ((item as Node | null)?.range) lines.fields[at] = line((item as Node).range![0]);
        walk(item, at);
      });
    } else if (isScalar(node) && node.type === 'BLOCK_LITERAL' && node.range) {
      // The range starts at the `|` header; a literal block keeps every line, so its text's line i is start + i.
      lines.blocks[path] = line(node.range[0]) + 1;
    }
  };
  if (doc.contents?.range) lines.fields[''] = line(doc.contents.range[0]);
  walk(doc.contents, '');
  return lines;
}

/** The line of `path`, or of its nearest ancestor that the document spells out (a missing field is shown where it would go). */
export function lineAt(lines: DocumentLines, path: FieldPath): number {
  for (let n = path.length; n >= 0; n--) {
    const found = lines.fields[pointer(path.slice(0, n))];
    if (found !== undefined) return found;
  }
  return 1;
}
