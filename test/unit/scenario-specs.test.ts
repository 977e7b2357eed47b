// The scenarios' stated expectations (scenarios/expectations.ts) against the scenarios, the
// checkers and the README: a promise nothing can fail, a scenario without a spec, or a README
// table that says something else is a defect of the harness.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { unenforced, type ScenarioSpec } from '../../harness/scenario/spec.ts';
import { promiseVerdicts } from '../../harness/scenario/spec.ts';
import { SCENARIOS_DIR, scenarioNames } from '../../harness/scenario/catalog.ts';
import { SCENARIO_SPECS } from '../../scenarios/expectations.ts';
import { scenarioTable, withScenarioTable } from '../../scenarios/table.ts';

describe('scenario specs', () => {
  it('every scenario file has a spec, and every spec a file', () => {
    expect(SCENARIO_SPECS.map((s) => s.name).sort()).toEqual(scenarioNames().sort());
  });

  it('each scenario starts with its own spec', () => {
    for (const name of scenarioNames()) {
      expect(readFileSync(`${SCENARIOS_DIR}${name}.test.ts`, 'utf8'), name).toContain(`chaos.start(SCENARIOS['${name}']`);
    }
  });

  it('every promise rests on checks that can fail with its scenario\'s expectations', () => {
    expect(SCENARIO_SPECS.flatMap(unenforced)).toEqual([]);
  });

  it('refuses a promise that rests on a check its expectations leave reporting only', () => {
    const spec: ScenarioSpec = {
      name: 'x', what: 'y', expect: { promotion: 'either' },
      promises: [
        { says: 'no shard goes without writes for long', checks: ['availability'] },
        { says: 'the other shards keep serving', checks: ['other-shards-available'] },
        { says: 'the harness saw everything', checks: ['observation'] },
        { says: 'nothing', checks: [] },
      ],
    };
    expect(unenforced(spec)).toEqual([
      'x: "no shard goes without writes for long" rests on availability, which cannot fail with {"promotion":"either"}',
      'x: "the other shards keep serving" rests on other-shards-available, which cannot fail with {"promotion":"either"}',
      'x: "the harness saw everything" rests on observation, which cannot fail with {"promotion":"either"}',
      'x: "nothing" names no check',
    ]);
    expect(unenforced({ ...spec, promises: [] })).toEqual(['x promises nothing']);
    expect(unenforced({ ...spec, expect: { maxUnavailableMs: 'failover', otherShards: 'serve' }, promises: spec.promises.slice(0, 2) })).toEqual([]);
  });

  it('judges each promise by its checks: false over unknown over true, a missing check unknown', () => {
    const promises = [
      { says: 'a', checks: ['counter', 'slot-coverage'] as const },
      { says: 'b', checks: ['counter', 'drain'] as const },
      { says: 'c', checks: ['counter'] as const },
      { says: 'd', checks: ['replica-promotion'] as const },
    ];
    const checks = [{ name: 'counter', valid: true }, { name: 'slot-coverage', valid: false }, { name: 'drain', valid: 'unknown' }] as const;
    expect(promiseVerdicts(promises, [...checks]).map((p) => [p.says, p.valid])).toEqual([['a', false], ['b', 'unknown'], ['c', true], ['d', 'unknown']]);
  });

  it('the README\'s scenario table is the one generated from the specs (npm run docs:scenarios)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(scenarioTable(SCENARIO_SPECS));
    expect(withScenarioTable(readme, SCENARIO_SPECS)).toBe(readme);
    // A clause edited in the README alone is caught.
    expect(withScenarioTable(readme.replace('no acknowledged write lost (`counter`, `append`)', 'no write lost'), SCENARIO_SPECS)).toBe(readme);
    expect(readme.replace('no acknowledged write lost (`counter`, `append`)', 'no write lost')).not.toContain(scenarioTable(SCENARIO_SPECS));
  });
});

describe('the serving-again promise', () => {
  it('is stated by every scenario, with the allowance its check judges', async () => {
    const { SERVING_AGAIN_MS } = await import('../../harness/checkers/index.ts');
    for (const spec of SCENARIO_SPECS) {
      const promise = spec.promises.find((p) => p.checks.includes('serving-again'));
      expect(promise?.says, spec.name).toContain(`within ${SERVING_AGAIN_MS / 1000} s of the recovery`);
    }
  });
});
