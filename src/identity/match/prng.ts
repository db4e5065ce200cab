// The matcher samples random pairs reproducibly: mulberry32 from core, seeded by the caller.
import { seededRandom as seeded } from '../../core/index.js';

export type Random = () => number;

export function seededRandom(seed: number): Random {
  return seeded(seed).next;
}
