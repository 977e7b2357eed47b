import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { durationMs } from '../cli/args.ts';
import { generatePlan, runSeed } from './generate.ts';
import { describePlan, planProblems, readPlan, type Plan, type PlanStep } from './plan.ts';
import { judgeRepeatedly, reductions, shrink, sizeOf, type Outcome } from './shrink.ts';

const opts = { faults: ['kill', 'crash', 'pause', 'delete', 'partition', 'delay', 'full-restart', 'node-crash'] as const, maxSteps: 4, nodeTimeoutMs: 2000 };
const plan = (...steps: PlanStep[]): Plan => ({ version: 1, seed: null, steps });

describe('generatePlan', () => {
  it('is the same schedule for the same seed, and another for another', () => {
    expect(generatePlan(7, opts)).toEqual(generatePlan(7, opts));
    const many = Array.from({ length: 50 }, (_, i) => JSON.stringify(generatePlan(runSeed(7, i), opts).steps));
    expect(new Set(many).size).toBeGreaterThan(40);
  });

  it('draws only valid schedules: the faults asked for, holds in whole half-seconds, no conflicting overlap', () => {
    for (let i = 0; i < 300; i++) {
      const p = generatePlan(runSeed(3, i), { ...opts, faults: ['kill', 'pause', 'partition', 'delay'] });
      expect(planProblems(p), describePlan(p)).toEqual([]);
      expect(p.steps.length).toBeGreaterThanOrEqual(1);
      expect(p.steps.length).toBeLessThanOrEqual(4);
      expect(p.steps[0]!.atMs).toBe(0);
      for (const s of p.steps) {
        expect(['kill', 'pause', 'partition', 'delay']).toContain(s.fault);
        expect(s.holdMs % 500).toBe(0);
        expect(s.holdMs).toBeGreaterThanOrEqual(1000);
        expect(s.holdMs).toBeLessThanOrEqual(12_000);
      }
    }
  });

  it('draws overlapping steps about as often as separate ones', () => {
    let overlapping = 0;
    let pairs = 0;
    for (let i = 0; i < 300; i++) {
      const { steps } = generatePlan(runSeed(5, i), { ...opts, faults: ['kill', 'pause'] });
      for (let a = 0; a < steps.length; a++) {
        for (let b = a + 1; b < steps.length; b++) {
          pairs++;
          if (steps[b]!.atMs <= steps[a]!.atMs + steps[a]!.holdMs) overlapping++;
        }
      }
    }
    expect(overlapping / pairs).toBeGreaterThan(0.3);
    expect(overlapping / pairs).toBeLessThan(0.9);
  });
});

describe('schedule files', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'plan-'));
  const write = (name: string, body: unknown) => {
    const f = path.join(dir, name);
    writeFileSync(f, typeof body === 'string' ? body : JSON.stringify(body));
    return f;
  };

  it('reads a valid one back as written', () => {
    const p = plan({ fault: 'pause', target: 'counter-master', atMs: 0, holdMs: 9000 }, { fault: 'kill', target: 'counter-replica', atMs: 500, holdMs: 6000 });
    expect(readPlan(write('ok.json', p))).toEqual(p);
  });

  it('refuses a bad one in one line naming the file and the step', () => {
    expect(() => readPlan(path.join(dir, 'missing.json'))).toThrow(/^--schedule .*missing\.json: no such file$/);
    expect(() => readPlan(write('notjson.json', '{'))).toThrow(/notjson\.json: /);
    expect(() => readPlan(write('shape.json', { steps: [] }))).toThrow(/expected \{"version": 1/);
    expect(() => readPlan(write('fault.json', plan({ fault: 'explode' as never, target: 'counter-master', atMs: 0, holdMs: 0 })))).toThrow(/step 1: fault "explode"; valid: kill, /);
    expect(() => readPlan(write('hold.json', plan({ fault: 'pause', target: 'counter-master', atMs: 0, holdMs: -1 })))).toThrow(/step 1: holdMs must be an integer/);
    // Two faults on one pod at once, or two network faults at once, cannot be played as written.
    expect(() => readPlan(write('same.json', plan({ fault: 'pause', target: 'counter-master', atMs: 0, holdMs: 5000 }, { fault: 'kill', target: 'counter-master', atMs: 1000, holdMs: 1000 })))).toThrow(/steps 1 and 2: pause and kill overlap on counter-master/);
    expect(() => readPlan(write('net.json', plan({ fault: 'partition', target: 'counter-master', atMs: 0, holdMs: 5000 }, { fault: 'delay', target: 'other-master', atMs: 1000, holdMs: 1000 })))).toThrow(/healing one heals both/);
    expect(() => readPlan(write('whole.json', plan({ fault: 'node-crash', target: 'counter-master', atMs: 0, holdMs: 5000 }, { fault: 'crash', target: 'other-master', atMs: 6000, holdMs: 0 })))).toThrow(/node-crash touches every pod/);
    // Steps drift late by a snapshot each: two on one pod need SPACING_MS between them.
    expect(() => readPlan(write('close.json', plan({ fault: 'pause', target: 'counter-master', atMs: 0, holdMs: 1500 }, { fault: 'pause', target: 'counter-master', atMs: 3000, holdMs: 1000 })))).toThrow(/steps 1 and 2: pause and pause overlap on counter-master/);
    expect(readPlan(write('apart.json', plan({ fault: 'pause', target: 'counter-master', atMs: 0, holdMs: 1500 }, { fault: 'pause', target: 'counter-master', atMs: 4000, holdMs: 1000 }))).steps).toHaveLength(2);
  });

  it('parses a budget', () => {
    expect(durationMs('30m')).toBe(1_800_000);
    expect(durationMs('90s')).toBe(90_000);
    expect(durationMs('45')).toBe(45_000);
    expect(() => durationMs('soon')).toThrow('--budget soon: expected a duration such as 90s, 30m or 1h');
  });
});

describe('judgeRepeatedly', () => {
  const seq = (...outcomes: Outcome[]) => {
    let i = 0;
    return async () => outcomes[i++]!;
  };

  it('needs 2 failures of 3, and stops as soon as that is decided', async () => {
    expect(await judgeRepeatedly(seq('fail', 'fail'))).toEqual({ fails: true, outcomes: ['fail', 'fail'] });
    expect(await judgeRepeatedly(seq('fail', 'pass', 'fail'))).toEqual({ fails: true, outcomes: ['fail', 'pass', 'fail'] });
    expect(await judgeRepeatedly(seq('fail', 'pass', 'pass'))).toEqual({ fails: false, outcomes: ['fail', 'pass', 'pass'] });
    expect(await judgeRepeatedly(seq('pass', 'pass'))).toEqual({ fails: false, outcomes: ['pass', 'pass'] });
  });

  it('never takes a run the harness could not judge as a failure', async () => {
    expect((await judgeRepeatedly(seq('error', 'fail', 'error'))).fails).toBe(false);
    expect((await judgeRepeatedly(seq('error', 'error'))).fails).toBe(false);
  });
});

describe('shrink', () => {
  // A synthetic defect: it fails when a pause of the counter's master of at least 8 s overlaps a
  // kill of its replica, whatever else the schedule holds: the shape of examples/no-persistence.
  const defect = (p: Plan) => p.steps.some((a) => a.fault === 'pause' && a.target === 'counter-master' && a.holdMs >= 8000
    && p.steps.some((b) => b.fault === 'kill' && b.target === 'counter-replica' && b.atMs <= a.atMs + a.holdMs && a.atMs <= b.atMs + b.holdMs));
  const big = plan(
    { fault: 'crash', target: 'other-master', atMs: 0, holdMs: 0 },
    { fault: 'kill', target: 'counter-replica', atMs: 1500, holdMs: 11_000 },
    { fault: 'pause', target: 'other-replica', atMs: 2000, holdMs: 4000 },
    { fault: 'pause', target: 'counter-master', atMs: 3000, holdMs: 10_000 },
  );

  it('finds the two steps that matter, with holds and starts no longer than needed', async () => {
    expect(defect(big)).toBe(true);
    const seen: Plan[] = [];
    const { plan: minimal, minimal: locallyMinimal, candidates } = await shrink(big, async (p) => (seen.push(p), defect(p)), { maxCandidates: 100 });
    expect(locallyMinimal).toBe(true);
    expect(minimal.steps.map((s) => `${s.fault} ${s.target}`).sort()).toEqual(['kill counter-replica', 'pause counter-master']);
    expect(defect(minimal)).toBe(true);
    // No single reduction of the result still fails.
    for (const r of reductions(minimal)) if (planProblems(r).length === 0) expect(defect(r), describePlan(r)).toBe(false);
    expect(sizeOf(minimal)).not.toEqual(sizeOf(big));
    expect(candidates).toBe(seen.length);
    expect(seen.every((p) => planProblems(p).length === 0)).toBe(true);
  });

  it('keeps the smallest failing schedule so far when its bound is reached', async () => {
    const { plan: p, minimal } = await shrink(big, async (c) => defect(c), { maxCandidates: 1 });
    expect(minimal).toBe(false);
    expect(defect(p)).toBe(true);
    expect(p.steps.length).toBe(3);
  });

  it('returns the schedule itself when nothing smaller fails', async () => {
    const two = plan({ fault: 'kill', target: 'counter-replica', atMs: 0, holdMs: 8000 }, { fault: 'pause', target: 'counter-master', atMs: 0, holdMs: 8000 });
    const only = async (p: Plan) => JSON.stringify(p.steps) === JSON.stringify(two.steps);
    expect((await shrink(two, only, { maxCandidates: 100 })).plan).toEqual(two);
  });
});
