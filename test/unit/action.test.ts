// action.yml (issue 17 §3): its schema as a composite action with the inputs and outputs,
// every command its scripts name, and its scripts run as GitHub runs them (bash -eo pipefail) in a
// temporary repository that holds only manifests: the scenarios step for real (kill-master at a
// short node timeout), the gate step on a bad baseline, and the job-summary step after each.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

const REPO = path.resolve(import.meta.dirname, '../..');

interface Step { id?: string; name?: string; uses?: string; run?: string; shell?: string; if?: string; env?: Record<string, string>; with?: Record<string, unknown> }
interface Action {
  name: string; description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = YAML.parse(await readFile(path.join(REPO, 'action.yml'), 'utf8')) as Action;
const step = (name: string) => action.runs.steps.find((s) => s.id === name || s.name === name)!;

describe('action.yml', () => {
  it('is a composite action with the issue\'s inputs and outputs, each output a value of the run step', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.name).toBe('redis-chaos');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['manifests', 'scenarios', 'platform', 'baseline', 'repeat']));
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description, name).toBeTruthy();
      expect(typeof (input.default ?? ''), name).toBe('string');
    }
    expect(action.inputs).toMatchObject({ manifests: { default: 'manifests' }, platform: { default: 'local' }, baseline: { default: '' }, repeat: { default: '3' } });
    expect(Object.keys(action.outputs).sort()).toEqual(['exit-code', 'report-dir', 'verdict']);
    for (const [name, output] of Object.entries(action.outputs)) expect(output.value, name).toBe(`\${{ steps.run.outputs.${name} }}`);
    for (const s of action.runs.steps) {
      // Composite run steps must name their shell; uses: steps are pinned to a major version.
      if (s.run !== undefined) expect(s.shell, s.name).toBe('bash');
      else expect(s.uses, s.name).toMatch(/^actions\/(setup-node|upload-artifact)@v\d+$/);
    }
  });

  it('every script is valid bash, takes inputs through env only, and every command it names exists', async () => {
    const inputsUsed = new Set<string>();
    for (const s of action.runs.steps.filter((x) => x.run !== undefined)) {
      expect(s.run, s.name).not.toContain('${{'); // no expression is pasted into a script
      for (const v of Object.values(s.env ?? {})) for (const m of v.matchAll(/inputs\.([\w-]+)/g)) inputsUsed.add(m[1]!);
      const syntax = await execa('bash', ['-n'], { input: s.run!, reject: false });
      expect(syntax.stderr, s.name).toBe('');
      for (const m of s.run!.matchAll(/\$GITHUB_ACTION_PATH\/([\w./-]+)/g)) expect(existsSync(path.join(REPO, m[1]!)), m[1]).toBe(true);
      // The first word of each command: at a line's start, after a pipe, $( , ; , && , then, do, else or !.
      const programs = [...s.run!.replace(/(^|\s)#.*$/gm, '').matchAll(/(?:^|\n|\||\$\(|;|&&|\bthen\b|\bdo\b|\belse\b|!)\s*([a-z][\w-]*)(?=\s|$)/g)].map((m) => m[1]!);
      expect(programs.length, s.name).toBeGreaterThan(0);
      for (const p of new Set(programs)) {
        if (['if', 'then', 'else', 'elif', 'fi', 'for', 'do', 'done', 'set', 'echo', 'exit', 'command', 'true'].includes(p)) continue;
        if (p === 'sudo') continue; // apt-get, only when redis-server is missing on the runner
        expect((await execa('bash', ['-c', `command -v ${p}`], { reject: false })).exitCode, `${s.name}: ${p}`).toBe(0);
      }
    }
    for (const name of ['manifests', 'scenarios', 'platform', 'baseline', 'repeat', 'args']) expect(inputsUsed, name).toContain(name);
    // The commands the scripts give the launcher are its own.
    const help = await execa(process.execPath, [path.join(REPO, 'bin/redis-chaos.mjs'), '--help']);
    const all = action.runs.steps.map((s) => s.run ?? '').join('\n');
    for (const m of all.matchAll(/redis-chaos\.mjs"? (\w+)/g)) expect(help.stdout, m[1]).toMatch(new RegExp(`^  ${m[1]} `, 'm'));
    expect(existsSync(path.join(REPO, 'package-lock.json'))).toBe(true); // npm ci in the action's folder
  });

  describe('its scripts, run in a repository that holds only manifests', () => {
    // Made in beforeAll, not while collecting: a filtered run that skips these tests skips the hooks too.
    let repo = '';
    beforeAll(async () => {
      repo = await mkdtemp(path.join(os.tmpdir(), 'action-user-'));
      await cp(path.join(REPO, 'manifests'), path.join(repo, 'k8s', 'redis'), { recursive: true });
      const git = (...a: string[]) => execa('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...a]);
      await git('init', '-q');
      await git('add', '.');
      await git('commit', '-qm', 'manifests');
    });
    afterAll(() => (repo ? rm(repo, { recursive: true, force: true }) : undefined));
    const inputs = { manifests: 'k8s/redis', scenarios: '', platform: 'local', baseline: '', repeat: '3', args: '', 'artifact-name': 'redis-chaos-reports' };
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HARNESS_') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'TSX_TSCONFIG_PATH'));

    /** One step as the runner runs it: its env with ${{ inputs.x }} and ${{ steps.run.outputs.y }} filled in. */
    async function runStep(s: Step, given: Record<string, string>, outputs: Record<string, string>, timeout = 60_000) {
      const files = { GITHUB_OUTPUT: path.join(repo, '.out'), GITHUB_STEP_SUMMARY: path.join(repo, '.summary') };
      await writeFile(files.GITHUB_OUTPUT, '');
      const env: Record<string, string> = { ...clean, ...files, GITHUB_ACTION_PATH: REPO };
      for (const [k, v] of Object.entries(s.env ?? {})) {
        env[k] = v.replace(/\$\{\{ inputs\.([\w-]+) \}\}/g, (_, n: string) => given[n] ?? '').replace(/\$\{\{ steps\.run\.outputs\.([\w-]+) \}\}/g, (_, n: string) => outputs[n] ?? '');
      }
      const r = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', s.run!], { cwd: repo, env, extendEnv: false, reject: false, timeout });
      const out = Object.fromEntries((await readFile(files.GITHUB_OUTPUT, 'utf8')).split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      const summary = existsSync(files.GITHUB_STEP_SUMMARY) ? await readFile(files.GITHUB_STEP_SUMMARY, 'utf8') : '';
      await rm(files.GITHUB_STEP_SUMMARY, { force: true });
      return { ...r, out, summary };
    }

    it('scenarios: kill-master runs, the outputs name the verdict and the report folder, the summary holds the verdict table', async () => {
      const given = { ...inputs, scenarios: 'kill-master', args: '--node-timeout 2000 --redis-config repl-diskless-sync-delay=0' };
      const run = await runStep(step('run'), given, {}, 240_000);
      expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.out).toMatchObject({ verdict: 'passed', 'exit-code': '0' });
      expect(run.out['report-dir']).toMatch(/^reports\/\d{8}-\d{6}-[0-9a-f]{4}$/);
      expect(existsSync(path.join(repo, run.out['report-dir']!, 'summary.json'))).toBe(true);
      const summary = await runStep(step('Verdict in the job summary'), given, run.out);
      expect(summary.exitCode).toBe(0);
      expect(summary.summary).toContain('kill-master');
      const fail = await runStep(step('Fail on the verdict'), given, run.out);
      expect(fail.exitCode).toBe(0);
    }, 300_000);

    it('the gate with a baseline that is no ref: exit 2 as an output, verdict error, and the last step fails', async () => {
      const given = { ...inputs, baseline: 'no-such-ref', scenarios: 'kill-master', repeat: '1' };
      const run = await runStep(step('run'), given, {});
      expect(run.exitCode).toBe(0); // the script records the exit code; the last step fails on it
      expect(run.stderr).toMatch(/^redis-chaos gate: --baseline no-such-ref: neither a folder nor a git ref of /m);
      expect(run.out).toMatchObject({ verdict: 'error', 'exit-code': '2', 'report-dir': '' });
      const summary = await runStep(step('Verdict in the job summary'), given, run.out);
      expect(summary.summary).toBe('### redis-chaos: no report was written\n');
      const fail = await runStep(step('Fail on the verdict'), given, run.out);
      expect(fail.exitCode).toBe(2);
    });
  });
});
