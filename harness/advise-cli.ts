// `npm run advise`: the risks the scenarios can prove, read off the manifests alone, before any run.
// Exit 0 no risk (notes do not count), 1 a risk, 2 bad input. No cluster, no network: about a second.
import path from 'node:path';
import { asCommand, parseFlags } from './cli/args.ts';
import { runCommand } from './cli/command.ts';
import { advise, countLine, formatFinding, RULES } from './advise/index.ts';
import { HarnessError } from './errors.ts';
import { dropOutputOnceClosed } from './util/terminate.ts';

dropOutputOnceClosed(); // `| head`: the rest of the output is dropped, the work still finishes

const OPTIONS = { manifests: { type: 'string' }, statefulset: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
const USAGE = `usage: npm run advise -- [--manifests DIR] [--statefulset NAME] [--json]
env twins: HARNESS_MANIFESTS (default manifests/), HARNESS_STATEFULSET
exit 0 no risk, 1 a risk, 2 bad input`;

async function main(): Promise<number> {
  const { values } = parseFlags(process.argv.slice(2), OPTIONS, `valid flags: ${Object.keys(OPTIONS).map((k) => `--${k}`).join(' ')}`);
  if (values.help) {
    console.log(`${asCommand(USAGE)}\nrules:\n${RULES.map((r) => `  ${r.id.padEnd(22)} ${r.summary}`).join('\n')}`);
    return 0;
  }
  const dir = values.manifests ?? process.env.HARNESS_MANIFESTS ?? 'manifests';
  if (values.manifests === '') throw new HarnessError('--manifests: expected a folder of Kubernetes YAML files');
  const findings = await advise(dir, { statefulSet: values.statefulset || process.env.HARNESS_STATEFULSET || null });
  const risks = findings.filter((f) => f.severity === 'risk').length;
  if (values.json) console.log(JSON.stringify({ manifests: path.resolve(dir), risks, notes: findings.length - risks, findings }, null, 2));
  else {
    for (const f of findings) console.log(formatFinding(f));
    console.log(`${findings.length ? '\n' : ''}${countLine(findings)} (${dir})`);
  }
  return risks > 0 ? 1 : 0;
}

runCommand('advise', main, { drain: true });
