import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { USAGE } from '../../harness/cli/args.ts';

const root = path.resolve(import.meta.dirname, '../..');
const flags = (text: string) => [...new Set(text.match(/--[a-z][a-z-]*/g) ?? [])].sort();
const twins = (text: string) => [...new Set(text.match(/HARNESS_[A-Z_]+/g) ?? [])].sort();

// `--help` is made from USAGE; docs/command.md opens with the same synopsis and its env twins.
describe("docs/command.md and the command's --help", () => {
  it('name the same flags and the same environment variables', async () => {
    const doc = await readFile(path.join(root, 'docs/command.md'), 'utf8');
    const synopsis = /^```\n(npm run scenarios[\s\S]*?)```/m.exec(doc)![1]!;
    const [usageFlags, usageEnv] = USAGE.split('env twins:') as [string, string];
    expect(flags(synopsis)).toEqual(flags(usageFlags));
    const twinsParagraph = doc.slice(doc.indexOf('Env twins:'), doc.indexOf('\n\n', doc.indexOf('Env twins:')));
    expect(twins(twinsParagraph)).toEqual(twins(usageEnv));
  });

  // The other commands' --help lists every flag their page's synopsis shows, and the other way round.
  for (const [command, cli, page] of [['gate', 'gate-cli.ts', 'gate.md'], ['explore', 'explore-cli.ts', 'explore.md']] as const) {
    it(`docs/${page} shows every flag of npm run ${command} -- --help`, async () => {
      const source = await readFile(path.join(root, 'harness', cli), 'utf8');
      const usage = /const USAGE = `([\s\S]*?)`;/.exec(source)![1]!;
      const doc = await readFile(path.join(root, 'docs', page), 'utf8');
      const synopsis = new RegExp(`^\`\`\`\n(npm run ${command} --[\\s\\S]*?)\`\`\``, 'm').exec(doc)![1]!;
      expect(flags(synopsis)).toEqual(flags(usage.split('env twins:')[0]!));
    });
  }
});
