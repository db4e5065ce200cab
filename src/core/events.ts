/**
 * An event as it is stored in the append-only `events` log and carried by the bus.
 * `id` is unique and is the de-duplication key for every consumer.
 */
export interface DomainEvent<P = unknown> {
  id: string;
  tenantId: string;
  /** Dotted name, `<aggregate>.<what happened>`, e.g. `conversation.created`. */
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: P;
  /** The user, system component or channel that caused it, e.g. `user:<id>` or `system:seed`. */
  actor: string;
  /** ISO-8601 UTC. */
  occurredAt: string;
}

/** What a module hands to the outbox; id and time are filled in there. */
export type NewEvent<P = unknown> = Omit<DomainEvent<P>, 'id' | 'occurredAt'>;
