// The brief's strict TypeScript, held on every npm test: `tsc -p .` over the harness, the
// scenarios, the app, the benchmarks and the tests (whose expectTypeOf and @ts-expect-error
// assertions only tsc can judge).
import { execa } from 'execa';
import path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

it('the code type-checks under tsconfig.json (strict)', async () => {
  const tsc = await execa(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', ROOT, '--noEmit'], { cwd: ROOT, reject: false, timeout: 120_000 });
  expect(tsc.exitCode, `${tsc.stdout}${tsc.stderr}`.slice(0, 4000)).toBe(0);
}, 150_000);
