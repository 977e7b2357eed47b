// Every relative Markdown link in README.md and docs/*.md points to a file that exists, and an
// anchor on a Markdown file names one of its headings (GitHub's slugs). The README's reference
// moved to docs/ (issue 17 §5): a page renamed or a section retitled is caught here.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** GitHub's heading anchor: lowercased, punctuation dropped (letters, digits, `-`, `_` and spaces kept), spaces to `-`. */
export function slug(heading: string): string {
  const text = heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors a Markdown file's headings get, with GitHub's `-1`, `-2` for repeats. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutCode(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The text with fenced code blocks and inline code blanked (a `](x)` in code is no link). */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, (block) => block.replace(/[^\n]/g, ' ')).replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
}

/** Every relative link target in a Markdown text (not http(s), mailto or a bare anchor). */
export function relativeLinks(markdown: string): string[] {
  const links: string[] = [];
  for (const m of withoutCode(markdown).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    links.push(target);
  }
  return links;
}

/** What is wrong with each relative link of one file: a missing file, or an anchor no heading has. */
export function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const broken: string[] = [];
  for (const link of relativeLinks(text)) {
    const [target, anchor] = link.split('#', 2) as [string, string | undefined];
    const resolved = target === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
    const where = `${path.relative(ROOT, file)}: ${link}`;
    if (!existsSync(resolved)) {
      broken.push(`${where} (no such file)`);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && statSync(resolved).isFile() && !anchors(readFileSync(resolved, 'utf8')).has(anchor.toLowerCase())) {
      broken.push(`${where} (no heading with that anchor)`);
    }
  }
  return broken;
}

const pages = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('documentation links', () => {
  it.each(pages)('%s: every relative link points to a file that exists, and an anchor to a heading', (page) => {
    expect(brokenLinks(path.join(ROOT, page))).toEqual([]);
  });

  it('the README links every page under docs/', () => {
    const readme = relativeLinks(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).map((l) => l.split('#')[0]);
    expect(pages.filter((p) => p !== 'README.md' && !readme.includes(p))).toEqual([]);
  });

  it('finds links, and tells a broken one', () => {
    expect(relativeLinks('see [a](docs/a.md), [b](b.md#x "t"), [w](https://x.y/z), [c](#top), `[d](e.md)`')).toEqual(['docs/a.md', 'b.md#x', '#top']);
    expect(slug('WAIT: writes acknowledged by a replica')).toBe('wait-writes-acknowledged-by-a-replica');
    expect(slug('Explore: random fault schedules, shrunk to the smallest that fails')).toBe('explore-random-fault-schedules-shrunk-to-the-smallest-that-fails');
    expect(slug('The node: `npm run k8s-node -- up|down|status|sweep|build`')).toBe('the-node-npm-run-k8s-node----updownstatussweepbuild');
    expect([...anchors('# A\n## B\n## B\n```\n# not a heading\n```\n')]).toEqual(['a', 'b', 'b-1']);
  });
});
