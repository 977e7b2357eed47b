// examples/renamed end to end, on real redis-server processes: the seed under other names (a
// StatefulSet `cache`, a headless `cache-peers`, ports `resp`/`bus`, the app `counter`) runs a
// scenario and passes it, the fault landing on the pod its StatefulSet names `cache-0`.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../testing/run-cli.ts';

const RENAMED = path.resolve(import.meta.dirname, '../../examples/renamed');

describe('examples/renamed', () => {
  it('passes delete-pod-0, deleting cache-0', async () => {
    const { exitCode, summary, output, runDir } = await runScenario(RENAMED, 'delete-pod-0');
    try {
      expect(exitCode, output).toBe(0);
      expect(summary.scenarios.map((s) => [s.name, s.status])).toEqual([['delete-pod-0', 'passed']]);
      expect(output).toMatch(/delete-pod-0.*: cache-0 .*deleted/);
      expect(output).toMatch(/^verdict: passed \(exit 0\)$/m);
    } finally {
      await rm(path.dirname(runDir), { recursive: true, force: true });
    }
  }, 180_000);
});
