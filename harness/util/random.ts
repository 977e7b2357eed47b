/**
 * A seeded random in [0, 1): mulberry32 over a hash of the seed and a salt, so that two users of
 * one seed (the fault schedule, the scheduler) draw independent, replayable sequences.
 */
export function seededRandom(seed: number, salt: string): () => number {
  let state = seed >>> 0;
  for (const c of salt) state = Math.imul(state ^ c.charCodeAt(0), 2654435761) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
