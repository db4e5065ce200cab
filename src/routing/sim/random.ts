// Seeded chance for the simulator: the same seed gives the same run, event for event.

import type { Random } from '../engine/index.js';

/**
 * mulberry32 (Tommy Ettinger, public domain): 32 bits of state and a period of 2^32 draws, ample
 * for runs of a few million events.
 */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An independent stream per purpose (arrivals, handle times, patience, the engine), so a change in
 * how often one is drawn from does not shift the others. splitmix32 spreads nearby seeds apart.
 */
export function stream(seed: number, purpose: number): Random {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(purpose, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return mulberry32((z ^ (z >>> 15)) >>> 0);
}

/** An exponential sample with the given mean. A draw of 1 (an antithetic 1 − 0) is capped to stay finite. */
export function exponential(random: Random, mean: number): number {
  const u = random();
  return -mean * Math.log(u < 1 ? 1 - u : Number.EPSILON);
}
