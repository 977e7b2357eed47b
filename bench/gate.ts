// npm run bench:gate — `npm run gate` on the seed's five scenarios, one run per side (the repo's
// manifests against a copy of themselves), against one `npm run scenarios` of the same set in the
// same run. Goal: gate ≤ 1.5 × scenarios. Last line: JSON.
import { execa } from 'execa';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scenariosArgv } from '../harness/cli/entry.ts';
import { noFlags } from './flags.ts';

noFlags('gate');

const root = path.resolve(import.meta.dirname, '..');
const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-gate-'));
try {
  await cp(path.join(root, 'manifests'), path.join(tmp, 'copy'), { recursive: true });
  const time = async (args: string[]) => {
    const t = performance.now();
    const r = await execa(process.execPath, args, { cwd: root, reject: false, timeout: 1_800_000 });
    return { ms: Math.round(performance.now() - t), exitCode: r.exitCode };
  };
  const scenarios = await time(scenariosArgv(['--seed', '5', '--report-dir', path.join(tmp, 'scenarios')]));
  console.log(`npm run scenarios: ${scenarios.ms} ms (exit ${scenarios.exitCode})`);
  // One run per side (not the gate's default of three): the benchmark measures the gate's own
  // cost over one `npm run scenarios`, which a repeat would only multiply.
  const gate = await time(['--import', 'tsx', 'harness/gate-cli.ts', '--baseline', 'manifests', '--candidate', path.join(tmp, 'copy'), '--seed', '5', '--report-dir', path.join(tmp, 'gate'), '--repeat', '1']);
  console.log(`npm run gate: ${gate.ms} ms (exit ${gate.exitCode})`);
  console.log(JSON.stringify({ scenariosMs: scenarios.ms, gateMs: gate.ms, ratio: Number((gate.ms / scenarios.ms).toFixed(3)), scenariosExit: scenarios.exitCode, gateExit: gate.exitCode }));
} finally {
  await rm(tmp, { recursive: true, force: true });
}
