export { type SeededRandom, seededRandom } from '../../core/index.js';

export const DEFAULT_SEED = 0x5eed;
