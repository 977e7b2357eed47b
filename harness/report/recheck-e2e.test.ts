import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_MANIFESTS } from '../testing/local-cluster.ts';
import { runScenario } from '../testing/run-cli.ts';
import { recheckRun } from './recheck.ts';

describe('npm run check on a run recorded by real processes', () => {
  it('gives delete-pod-0 the verdict its run gave it, check by check', async () => {
    const { exitCode, summary, output, runDir } = await runScenario(REPO_MANIFESTS, 'delete-pod-0');
    expect(exitCode, output).toBe(0);
    const again = await recheckRun(runDir);
    expect(again.summary).toMatchObject({ status: 'passed', exitCode: 0 });
    expect(again.summary.scenarios[0]!.checks).toEqual(summary.scenarios[0]!.checks);
    expect(again.summary.scenarios[0]!.metrics).toEqual(summary.scenarios[0]!.metrics);
    const dir = path.join(runDir, 'scenarios', 'delete-pod-0');
    const details = async (file: string) => JSON.parse(await readFile(path.join(dir, file), 'utf8')) as unknown;
    expect(await details('checks.recheck.json')).toEqual(await details('checks.json'));
  }, 120_000);
});
