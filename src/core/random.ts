// Seeded chance for the pure parts (identity sampling, the routing engine's random strategy, the
// simulator): the same seed gives the same numbers on every machine.

/** A source of uniform numbers in [0, 1). */
export type UniformRandom = () => number;

/** A seeded source whose state can be saved (a routing snapshot) and resumed. */
export interface SeededRandom {
  next: UniformRandom;
  state(): number;
}

/** mulberry32 (Tommy Ettinger, public domain): 32 bits of state, a period of 2^32 draws. */
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
