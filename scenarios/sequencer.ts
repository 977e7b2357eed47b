// Runs scenario files in the walkthrough's order (see harness/scenario/catalog.ts), not vitest's.
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { scenarioNames } from '../harness/scenario/catalog.ts';

export default class ScenarioSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const order = scenarioNames();
    const rank = (f: TestSpecification) => {
      const i = f.project.name === 'scenarios' ? order.indexOf(path.basename(f.moduleId, '.test.ts')) : -1;
      return i === -1 ? Number.MAX_SAFE_INTEGER : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
