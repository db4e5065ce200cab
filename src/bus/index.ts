// The event bus: carries committed domain events (`sb.<tenantId>.<type>`) to subscribers,
// in process for tests and single-node runs, over NATS JetStream in production.
// Both implementations honour one contract, checked by `runBusContract`.
import type { BusLogger, EventBus } from './contract.js';
import { createMemoryBus } from './memory.js';
import { createNatsBus } from './nats.js';

export type {
  BusLogger,
  EventBus,
  EventHandler,
  SubscribeOptions,
  Subscription,
} from './contract.js';
export { subjectFor } from './contract.js';
export { createMemoryBus, type DeadLetter, type MemoryBus, type MemoryBusOptions } from './memory.js';
export { createNatsBus, type NatsBusOptions } from './nats.js';
export { subjectMatches } from './subjects.js';

/** NATS when a URL is configured, otherwise the in-process bus. */
export async function createBus(config: { natsUrl?: string; logger?: BusLogger }): Promise<EventBus> {
  if (config.natsUrl) return createNatsBus({ url: config.natsUrl, logger: config.logger });
  return createMemoryBus({ logger: config.logger });
}
