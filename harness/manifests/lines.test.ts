import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineAt, loadManifests, parseFile } from './index.ts';

describe('line numbers kept by the loader', () => {
  it('point at keys, list items and the text of literal blocks, across documents', () => {
    const text = '# a comment\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  run.sh: |\n    #!/bin/sh\n    exec "$@"\n---\nkind: Service\nmetadata: {name: b}\nspec:\n  ports:\n  - port: 1\n    name: x\n  - {port: 2, name: w}\n';
    const [first, second] = parseFile('f.yaml', text);
    expect(first![3].fields['']).toBe(2);
    expect(lineAt(first![3], ['data', 'run.sh'])).toBe(6);
    expect(first![3].blocks['/data/run.sh']).toBe(7);
    expect(lineAt(second![3], ['spec', 'ports', 1, 'port'])).toBe(16);
    expect(lineAt(second![3], ['spec', 'ports', 0, 'name'])).toBe(15);
    // A field the document does not spell out is shown at its nearest ancestor.
    expect(lineAt(second![3], ['spec', 'ports', 0, 'targetPort'])).toBe(14);
    expect(lineAt(second![3], ['spec', 'selector'])).toBe(12);
  });

  it('on the repository manifests, without changing what is parsed', async () => {
    const set = await loadManifests(path.resolve(import.meta.dirname, '../../manifests'));
    const sts = set.documents.find((d) => d.object.kind === 'StatefulSet')!;
    expect(lineAt(sts.lines, ['spec', 'template', 'spec', 'containers', 0, 'command'])).toBe(31);
    expect(lineAt(sts.lines, ['spec', 'volumeClaimTemplates', 0, 'spec', 'resources', 'requests', 'storage'])).toBe(56);
    const cm = set.documents.find((d) => d.object.kind === 'ConfigMap')!;
    expect(cm.lines.blocks['/data/redis.conf']).toBe(19);
    expect(set.objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service', 'Service', 'StatefulSet']);
  });
});
