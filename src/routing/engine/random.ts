import type { Random } from './model.js';

/** A Random whose state can be saved in a snapshot and restored, so a restored engine draws the same numbers. */
export interface SeededRandom {
  next: Random;
  state(): number;
}

/** mulberry32 (Tommy Ettinger, public domain): 32 bits of state, plenty for tie-breaking among agents. */
export function seededRandom(seed: number): SeededRandom {
  let a = seed >>> 0;
  return {
    next: () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    state: () => a,
  };
}

export const DEFAULT_SEED = 0x5eed;
