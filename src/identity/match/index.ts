// The identity matcher: resolves contact records into customers, deterministically on exact
// identifiers and probabilistically (Fellegi–Sunter, EM-estimated) on names and partial data.
// Pure: no I/O, no clock, randomness only from a seed.
export { compareBirthDates, compareCities, compareEmails, compareNames, comparePhones } from './compare.js';
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
export { seededRandom } from './prng.js';
export { parseContactRecord } from './record.js';
export { resolveRecords } from './resolve.js';
export { parseMatchSettings } from './settings.js';
