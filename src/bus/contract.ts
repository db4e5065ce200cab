import type { DomainEvent } from '../core/index.js';

/**
 * Subjects are `sb.<tenantId>.<event type>`, e.g. `sb.0193…​.conversation.created`.
 * Patterns use NATS wildcards: `*` matches one token, `>` matches one or more trailing tokens.
 */
export function subjectFor(event: Pick<DomainEvent, 'tenantId' | 'type'>): string {
  return `sb.${event.tenantId}.${event.type}`;
}

/** A handler that throws (or rejects) asks for redelivery on durable subscriptions. */
export type EventHandler = (event: DomainEvent) => Promise<void> | void;

/** The slice of a pino logger the bus needs; dead letters and handler failures are logged here. */
export interface BusLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SubscribeOptions {
  /** Subject pattern with NATS wildcards, e.g. `sb.<tenantId>.>`; one that can never match a bus subject is an InvalidInput. */
  pattern: string;
  /**
   * A durable consumer name. Subscribers with the same durable name share the work
   * (each event goes to one of them), delivery is at-least-once and survives the
   * subscriber going away; a handler that throws gets the event again later.
   * Without it the subscription is ephemeral: live events only, at-most-once.
   */
  durable?: string;
  handler: EventHandler;
}

export interface Subscription {
  /** No handler call starts after this resolves; one already running is not awaited. */
  unsubscribe(): Promise<void>;
}

export interface EventBus {
  readonly kind: 'memory' | 'nats';
  /** Resolves once the bus has accepted the event (JetStream: stored). Same id twice is published once. */
  publish(event: DomainEvent): Promise<void>;
  /** Resolves once the subscription is live: events published afterwards reach it. */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Throws when the bus cannot be reached; used by /readyz. */
  ping(): Promise<void>;
  /** Stops every subscription, waits for running handlers, then releases the connection. Idempotent. */
  close(): Promise<void>;
}
