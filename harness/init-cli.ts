// `redis-chaos init`: the seed's manifests and a starting workflow, written into the working
// directory (a repository that has none). One line per file written; exit 2, writing nothing, if any is there.
import { parseFlags } from './cli/args.ts';
import { runCommand } from './cli/command.ts';
import { HarnessError } from './errors.ts';
import { DEFAULT_INIT_MANIFESTS, packageSpec, planInit, WORKFLOW_PATH, writeInit } from './init/init.ts';
import { dropOutputOnceClosed } from './util/terminate.ts';

dropOutputOnceClosed(); // `| head`: the rest of the output is dropped, the work still finishes

const OPTIONS = { manifests: { type: 'string' }, package: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
const USAGE = `usage: redis-chaos init [--manifests DIR (default ${DEFAULT_INIT_MANIFESTS})] [--package SPEC]
  Writes a copy of the seed's manifests (a 3-master / 3-replica Redis Cluster and the hit-counter
  app) to DIR/redis-cluster/ and DIR/hit-counter/, and ${WORKFLOW_PATH}, which runs the
  scenarios and the gate against the base branch on pull requests. Overwrites nothing: exit 2 if
  any of those files exists. The workflow installs --package SPEC (what npm installs as
  redis-chaos), else what this project's package.json installed it from.`;

async function main(): Promise<number> {
  const { values } = parseFlags(process.argv.slice(2), OPTIONS, 'see redis-chaos init --help');
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const manifests = values.manifests ?? DEFAULT_INIT_MANIFESTS;
  const { spec, from } = await packageSpec(process.cwd(), values.package);
  const written = await writeInit(process.cwd(), await planInit(manifests, spec));
  for (const file of written) console.log(`wrote ${file}`);
  if (!spec) console.log(`note: set REDIS_CHAOS in ${WORKFLOW_PATH} to what npm installs as redis-chaos (or run init with --package SPEC): this project's package.json does not name it`);
  else console.log(`the workflow installs ${spec} (from ${from})`);
  console.log(`next: redis-chaos advise --manifests ${manifests}, then redis-chaos scenarios --manifests ${manifests}`);
  return 0;
}

runCommand('init', main);
