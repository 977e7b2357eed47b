// npm run bench:pod-replacement [-- --allow-context NAME [--context NAME]]: how long `kubectl delete
// pod` takes to give back a running pod: the old pod gone (deletePod returns), the new incarnation
// Running with an IP, and answering PING. Five rounds on redis-cluster-0 of the repo's manifests,
// on the local platform (the baseline), then, given a context (KUBECONFIG as for npm run
// scenarios), on that cluster in the same run: the figures docs/kubernetes.md compares. Last line: JSON.
import path from 'node:path';
import { loadManifests, resolveSystem } from '../harness/manifests/index.ts';
import { createPlatform } from '../harness/session/create-platform.ts';
import { optionsFromEnv } from '../harness/session/options.ts';
import { NotYet, waitUntil } from '../harness/util/wait.ts';
import { parseFlags } from '../harness/cli/args.ts';
import { HarnessError } from '../harness/errors.ts';
import { checked } from './flags.ts';

const { values, rounds } = checked('pod-replacement', () => {
  const { values } = parseFlags(process.argv.slice(2), { context: { type: 'string' }, 'allow-context': { type: 'string' }, rounds: { type: 'string' } }, 'valid flags: --context --allow-context --rounds');
  const rounds = Number(values.rounds ?? 5);
  if (!Number.isInteger(rounds) || rounds < 1) throw new HarnessError(`--rounds ${values.rounds}: expected an integer ≥ 1`);
  return { values, rounds };
});
const system = resolveSystem(await loadManifests(path.resolve(import.meta.dirname, '../manifests')));
const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);

async function measure(platformKind: 'local' | 'kubernetes') {
  const options = { ...optionsFromEnv({ HARNESS_PLATFORM: platformKind }), context: values.context ?? null, allowContext: values['allow-context'] ?? null, nodeTimeoutMs: 3000 };
  const running = await (await createPlatform(options, system)).up();
  const gone: number[] = [];
  const up: number[] = [];
  const answering: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const before = (await running.pods())[0]!.incarnation;
      const t0 = performance.now();
      await running.deletePod('redis-cluster-0');
      gone.push(performance.now() - t0);
      await waitUntil('new pod running', async () => {
        const p = (await running.pods())[0]!;
        if (p.incarnation === before || p.phase !== 'Running' || !p.ip) throw new NotYet(p.phase);
      }, { timeoutMs: 180_000, intervalMs: 50 });
      up.push(performance.now() - t0);
      await waitUntil('PING', async () => {
        await running.redis('redis-cluster-0', ['PING'], { timeoutMs: 1000 }).catch((e: unknown) => { throw new NotYet(String(e)); });
      }, { timeoutMs: 180_000, intervalMs: 50 });
      answering.push(performance.now() - t0);
      console.log(`${platformKind} round ${i + 1}: gone ${gone.at(-1)!.toFixed(0)} ms, running ${up.at(-1)!.toFixed(0)} ms, answering ${answering.at(-1)!.toFixed(0)} ms`);
    }
  } finally {
    await running.down();
  }
  return { goneMs: median(gone), runningMs: median(up), answeringMs: median(answering) };
}

const local = await measure('local');
const kubernetes = values['allow-context'] ? await measure('kubernetes') : null;
console.log(JSON.stringify({ rounds, local, kubernetes, answeringRatio: kubernetes ? +(kubernetes.answeringMs / local.answeringMs).toFixed(2) : null }));
