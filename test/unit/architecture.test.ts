// The house rules of the code's shape, checked on every npm test: no import cycles (type imports
// included: a cycle of types today is a cycle of code tomorrow), and no part importing a part it
// must know nothing of (the brief's "nothing points up").
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
/** An import of types alone: it costs nothing at run time, so a part may name another's types. */
const typeOnly = (statement: string) => /^\s*(?:import|export)\s+type\s/.test(statement);

/** Every .ts file under a folder (tests excluded), with the repository-relative files it imports. */
function graphOf(folder: string, { types = true } = {}): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        const text = readFileSync(path.join(ROOT, rel), 'utf8');
        const imports = [...text.matchAll(IMPORT)].filter((m) => types || !typeOnly(m[0]));
        graph.set(rel, imports.map((m) => path.normalize(path.join(dir, m[1] ?? m[2]!))));
      }
    }
  };
  walk(folder);
  return graph;
}

/** Strongly connected components of more than one file (Tarjan): each is an import cycle. */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (let w = stack.pop()!; ; w = stack.pop()!) {
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

const harness = graphOf('harness');
/** The files of one part whose code (not only its types) comes from another part. */
const crossings = (from: string, to: string[]) => [...graphOf('harness', { types: false })].flatMap(([file, deps]) =>
  file.startsWith(`harness/${from}/`) ? deps.filter((d) => to.some((t) => d.startsWith(`harness/${t}/`))).map((d) => `${file} → ${d}`) : []);

/** Every file one part's code loads at run time, directly or through others. */
function reached(part: string): string[] {
  const code = graphOf('harness', { types: false });
  const seen = new Set<string>();
  const visit = (f: string) => {
    for (const d of code.get(f) ?? []) if (!seen.has(d)) visit((seen.add(d), d));
  };
  for (const f of code.keys()) if (f.startsWith(`harness/${part}/`)) visit(f);
  return [...seen];
}

describe('the shape of the code', () => {
  it('finds a cycle when there is one (the check can fail)', () => {
    const g = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(cyclesOf(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(cyclesOf(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
  });

  it('has no import cycle in harness/, type imports included', () => {
    expect(harness.size).toBeGreaterThan(100);
    expect(cyclesOf(harness)).toEqual([]);
  });

  it('keeps each part to its job: platforms know nothing of cluster, workload, checkers or report; checkers and report run no platform code', () => {
    expect(crossings('platform', ['cluster', 'workload', 'checkers', 'report', 'scenario', 'faults'])).toEqual([]);
    expect(crossings('checkers', ['platform', 'scenario', 'report', 'session', 'faults'])).toEqual([]);
    expect(crossings('report', ['platform', 'faults'])).toEqual([]);
    // Nor by a detour: nothing the checkers or the report load at run time loads platform code.
    for (const part of ['checkers', 'report']) expect(reached(part).filter((f) => f.startsWith('harness/platform/')), part).toEqual([]);
  });

  it('lets scenarios import only harness/index.ts (and their own expectations)', () => {
    const files = readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(10);
    const outside = files.flatMap((f) => [...readFileSync(path.join(ROOT, 'scenarios', f), 'utf8').matchAll(IMPORT)]
      .map((m) => m[1] ?? m[2]!).filter((spec) => spec !== '../harness/index.ts' && spec !== './expectations.ts').map((spec) => `${f} → ${spec}`));
    expect(outside).toEqual([]);
  });
});
