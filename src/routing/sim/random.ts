// Seeded chance for the simulator: the same seed gives the same run, event for event.

import { seededRandom } from '../../core/index.js';
import type { Random } from '../engine/index.js';

/** mulberry32 (from core): 32 bits of state and a period of 2^32 draws, ample for runs of a few million events. */
export function mulberry32(seed: number): Random {
  return seededRandom(seed).next;
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
