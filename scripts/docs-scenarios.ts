// `npm run docs:scenarios`: rewrites the README's scenario table from scenarios/expectations.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SCENARIO_SPECS } from '../scenarios/expectations.ts';
import { withScenarioTable } from '../scenarios/table.ts';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const before = readFileSync(readme, 'utf8');
const after = withScenarioTable(before, SCENARIO_SPECS);
if (after !== before) writeFileSync(readme, after);
console.log(after === before ? 'README.md: the scenario table is up to date' : 'README.md: scenario table rewritten');
