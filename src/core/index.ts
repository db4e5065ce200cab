// Ids, clock, errors and the shared domain types. No I/O lives here.

export { type Actor, actorTag, systemActor } from './actor.js';
export { type Clock, ManualClock, systemClock } from './clock.js';
export * from './errors.js';
export type { DomainEvent, NewEvent } from './events.js';
export { isId, newId } from './ids.js';
export { DEFAULT_PAGE, MAX_PAGE, type Page, type PageRequest, pageLimit, toPage } from './paging.js';
export { type SeededRandom, seededRandom, type UniformRandom } from './random.js';
export { ROLES, type Role, roleAtLeast } from './roles.js';
