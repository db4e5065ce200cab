import pino from 'pino';
import { type Clock, type DomainEvent, systemClock, Unavailable } from '../core/index.js';
import {
  type BusLogger,
  type EventBus,
  type EventHandler,
  type SubscribeOptions,
  subjectFor,
} from './contract.js';
import { assertDurableName, assertPattern, assertSubject, subjectMatches } from './subjects.js';

export interface MemoryBusOptions {
  logger?: BusLogger;
  clock?: Clock;
  /** Handler attempts per event on a durable subscription before it is dead-lettered (JetStream max_deliver). */
  maxDeliver?: number;
  /** Backoff before redelivery attempt n+1 is `retryBaseMs * 2^(n-1)`. */
  retryBaseMs?: number;
  /** Events kept per subscriber or durable group that nobody is consuming; the oldest are dropped beyond it. */
  maxBacklog?: number;
}

export interface DeadLetter {
  event: DomainEvent;
  durable: string;
  attempts: number;
  error: unknown;
}

export interface MemoryBus extends EventBus {
  readonly kind: 'memory';
  /** Events whose durable handler failed `maxDeliver` times, oldest first (at most 1000). */
  readonly deadLetters: readonly DeadLetter[];
}

// Mirrors the NATS stream's duplicate_window, bounded in count so a publish storm cannot grow it.
const DEDUPE_WINDOW_MS = 2 * 60_000;
const DEDUPE_MAX_IDS = 100_000;
const MAX_DEAD_LETTERS = 1000;

/** Events travel as JSON, as on NATS, so every handler gets its own copy and the same types. */
interface Envelope {
  id: string;
  json: string;
  attempts: number;
}

interface Member {
  handler: EventHandler;
  busy: boolean;
  active: boolean;
}

/** A queue and the members draining it: one member for an ephemeral subscriber, any number for a durable group. */
interface Lane {
  pattern: string;
  durable: string | undefined;
  queue: Envelope[];
  members: Member[];
  nextMember: number;
}

export function createMemoryBus(options: MemoryBusOptions = {}): MemoryBus {
  const logger = options.logger ?? pino({ name: 'bus' });
  const clock = options.clock ?? systemClock;
  const maxDeliver = options.maxDeliver ?? 5;
  const retryBaseMs = options.retryBaseMs ?? 10;
  const maxBacklog = options.maxBacklog ?? 10_000;

  const seen = new Map<string, number>();
  const lanes = new Set<Lane>();
  const groups = new Map<string, Lane>();
  const running = new Set<Promise<void>>();
  const retryTimers = new Set<NodeJS.Timeout>();
  const deadLetters: DeadLetter[] = [];
  let closed = false;

  function acceptOnce(id: string): boolean {
    const now = clock.now();
    for (const [oldId, at] of seen) {
      if (seen.size < DEDUPE_MAX_IDS && at > now - DEDUPE_WINDOW_MS) break;
      seen.delete(oldId);
    }
    if (seen.has(id)) return false;
    seen.set(id, now);
    return true;
  }

  function enqueue(lane: Lane, envelope: Envelope, front = false): void {
    if (front) lane.queue.unshift(envelope);
    else lane.queue.push(envelope);
    if (lane.queue.length > maxBacklog) {
      const dropped = lane.queue.shift();
      logger.warn(
        { eventId: dropped?.id, durable: lane.durable, pattern: lane.pattern, maxBacklog },
        'bus: subscriber backlog full, dropped the oldest event',
      );
    }
    dispatch(lane);
  }

  function dispatch(lane: Lane): void {
    while (lane.queue.length > 0) {
      const member = pickIdle(lane);
      if (!member) return;
      const envelope = lane.queue.shift()!;
      member.busy = true;
      const run = deliver(lane, member, envelope)
        .catch((err) => logger.error({ err, eventId: envelope.id }, 'bus: delivery bookkeeping failed'))
        .finally(() => {
          member.busy = false;
          running.delete(run);
          if (!closed) dispatch(lane);
        });
      running.add(run);
    }
  }

  // Round-robin over idle members, so a durable group shares the work.
  function pickIdle(lane: Lane): Member | undefined {
    const n = lane.members.length;
    for (let k = 0; k < n; k++) {
      const i = (lane.nextMember + k) % n;
      const member = lane.members[i]!;
      if (!member.busy) {
        lane.nextMember = (i + 1) % n;
        return member;
      }
    }
    return undefined;
  }

  async function deliver(lane: Lane, member: Member, envelope: Envelope): Promise<void> {
    // Yield first so the handler never runs inside the publisher's call stack.
    await null;
    if (closed) return;
    if (!member.active) {
      // Unsubscribed between dispatch and now: the event was never handed over.
      if (lane.durable !== undefined) lane.queue.unshift(envelope);
      return;
    }
    envelope.attempts += 1;
    const event = JSON.parse(envelope.json) as DomainEvent;
    try {
      await member.handler(event);
    } catch (error) {
      handleFailure(lane, envelope, event, error);
    }
  }

  function handleFailure(lane: Lane, envelope: Envelope, event: DomainEvent, error: unknown): void {
    const context = { err: error, eventId: envelope.id, type: event.type, attempts: envelope.attempts };
    if (lane.durable === undefined) {
      // Ephemeral subscriptions are at-most-once, as NATS ordered consumers are: nothing to nak.
      logger.warn({ ...context, pattern: lane.pattern }, 'bus: ephemeral handler failed, event dropped');
      return;
    }
    if (envelope.attempts >= maxDeliver) {
      logger.error({ ...context, durable: lane.durable }, 'bus: handler kept failing, event dead-lettered');
      deadLetters.push({ event, durable: lane.durable, attempts: envelope.attempts, error });
      if (deadLetters.length > MAX_DEAD_LETTERS) deadLetters.shift();
      return;
    }
    logger.warn({ ...context, durable: lane.durable }, 'bus: handler failed, will redeliver');
    const timer = setTimeout(
      () => {
        retryTimers.delete(timer);
        if (!closed) enqueue(lane, envelope, true);
      },
      retryBaseMs * 2 ** (envelope.attempts - 1),
    );
    retryTimers.add(timer);
  }

  function laneFor(pattern: string, durable: string | undefined): Lane {
    if (durable === undefined) {
      const lane: Lane = { pattern, durable, queue: [], members: [], nextMember: 0 };
      lanes.add(lane);
      return lane;
    }
    let group = groups.get(durable);
    if (!group) {
      group = { pattern, durable, queue: [], members: [], nextMember: 0 };
      groups.set(durable, group);
      lanes.add(group);
    }
    // Like updating a JetStream consumer's filter: the latest subscriber's pattern wins.
    group.pattern = pattern;
    return group;
  }

  return {
    kind: 'memory',
    get deadLetters() {
      return deadLetters;
    },

    async publish(event) {
      if (closed) throw new Unavailable('event bus is closed');
      const subject = subjectFor(event);
      assertSubject(subject);
      if (!acceptOnce(event.id)) return;
      const json = JSON.stringify(event);
      for (const lane of lanes) {
        if (subjectMatches(lane.pattern, subject)) enqueue(lane, { id: event.id, json, attempts: 0 });
      }
    },

    async subscribe({ pattern, durable, handler }: SubscribeOptions) {
      if (closed) throw new Unavailable('event bus is closed');
      assertPattern(pattern);
      if (durable !== undefined) assertDurableName(durable);
      const lane = laneFor(pattern, durable);
      const member: Member = { handler, busy: false, active: true };
      lane.members.push(member);
      // A durable group may hold a backlog from while it had no members.
      dispatch(lane);
      return {
        async unsubscribe() {
          if (!member.active) return;
          member.active = false;
          lane.members = lane.members.filter((m) => m !== member);
          lane.nextMember = 0;
          // A durable group outlives its members, as a JetStream durable consumer does.
          if (lane.durable === undefined) lanes.delete(lane);
        },
      };
    },

    async ping() {
      if (closed) throw new Unavailable('event bus is closed');
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      lanes.clear();
      groups.clear();
      await Promise.allSettled([...running]);
    },
  };
}
