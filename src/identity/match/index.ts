// The identity matcher: resolves contact records into customers, deterministically on exact
// identifiers and probabilistically (Fellegi–Sunter, EM-estimated) on names and partial data.
// Pure: no I/O, no clock, randomness only from a seed.

export { blockingKeys, blockPairs } from './blocking.js';
export {
  compareBirthDates,
  compareCities,
  compareEmails,
  compareNames,
  comparePhones,
  FIELDS,
  namesConflict,
} from './compare.js';
export { initialM } from './em.js';
export {
  type Assignment,
  type ContactRecord,
  DEFAULT_SETTINGS,
  type Evidence,
  type FieldModel,
  type Link,
  type MatchSettings,
  type Resolution,
  type ResolveOptions,
  type ResolveStats,
  type Trust,
} from './model.js';
export { type Prepared, prepareRecord } from './prepare.js';
export { seededRandom } from './prng.js';
export { parseContactRecord } from './record.js';
export { resolveRecords } from './resolve.js';
export {
  addSample,
  compareRhythm,
  emptyProfile,
  parseRhythmProfile,
  parseRhythmSample,
  RHYTHM_MAX_BITS,
  type RhythmComparison,
  type RhythmProfile,
  type RhythmSample,
} from './rhythm.js';
export { type NameStats, nameStatsOf, Scorer } from './score.js';
export { parseMatchSettings } from './settings.js';
export { type MixtureModel, trainModel } from './training.js';
