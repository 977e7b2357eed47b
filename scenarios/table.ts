import type { ScenarioSpec } from '../harness/index.ts';

export const TABLE_BEGIN = '<!-- scenarios:begin (generated from scenarios/expectations.ts by `npm run docs:scenarios`) -->';
export const TABLE_END = '<!-- scenarios:end -->';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README's scenario table: each promise with the checks that enforce it, and what is only reported. */
export function scenarioTable(specs: readonly ScenarioSpec[]): string {
  const rows = specs.map((s) => {
    const promises = s.promises.map((p) => `${p.says} (${p.checks.map((c) => `\`${c}\``).join(', ')})`).join('; ');
    return `| \`${s.name}\` | ${cell(s.what)} | ${cell(promises)} | ${cell((s.reported ?? []).join('; '))} |`;
  });
  return ['| name | what happens | expectation (the checks that enforce it) | reported, not judged |', '|---|---|---|---|', ...rows].join('\n');
}

/** The README with its table block replaced; throws if the markers are missing. */
export function withScenarioTable(readme: string, specs: readonly ScenarioSpec[]): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`the README has no ${TABLE_BEGIN} … ${TABLE_END} block`);
  return `${readme.slice(0, begin + TABLE_BEGIN.length)}\n${scenarioTable(specs)}\n${readme.slice(end)}`;
}
