import { describe, expect, it } from 'vitest';
import type { RunningPlatform } from '../platform/types.ts';
import { waitUntil, NotYet } from '../util/wait.ts';
import { Clock } from './clock.ts';
import { startSampler } from './sampler.ts';

// A stand-in platform with no pods: what is under test is when the sampler samples, not what.
// Each sample asks it for its pods once, so the calls count the samples begun.
function counting(delayMs = 0): { platform: RunningPlatform; asked: () => number } {
  let calls = 0;
  const platform = { pods: async () => (calls++, await new Promise((r) => setTimeout(r, delayMs)), []) } as unknown as RunningPlatform;
  return { platform, asked: () => calls };
}

const until = (what: string, holds: () => boolean) =>
  waitUntil(what, async () => { if (!holds()) throw new NotYet('not yet'); }, { timeoutMs: 5000, intervalMs: 10 });

describe('the sampler, asked for a sample now', () => {
  it('takes one at once instead of at its next tick', async () => {
    const { platform, asked } = counting();
    // An interval no test waits out: a second sample can only come from sampleNow().
    const sampler = startSampler(platform, new Clock(), { file: null, counterSlot: 0, intervalMs: 600_000 });
    try {
      await until('the first sample', () => sampler.samples.length === 1);
      sampler.sampleNow();
      await until('a second sample', () => sampler.samples.length === 2);
      expect(asked()).toBe(2);
      expect(sampler.samples[1]!.tMs).toBeGreaterThanOrEqual(sampler.samples[0]!.tMs);
    } finally {
      await sampler.stop();
    }
  });

  it('asked while a sample is being taken: takes another once it ends, since that one began before the ask', async () => {
    const { platform, asked } = counting(200);
    const sampler = startSampler(platform, new Clock(), { file: null, counterSlot: 0, intervalMs: 600_000 });
    try {
      await until('the first sample begun', () => asked() === 1);
      sampler.sampleNow();
      await until('a second sample', () => sampler.samples.length === 2);
      expect(asked()).toBe(2);
    } finally {
      await sampler.stop();
    }
  });
});
