import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { EventBus } from '../bus/index.js';
import { type DomainEvent, type NewEvent, newId } from '../core/index.js';
import type { Db } from './database.js';
import type { Database } from './schema.js';

export type Trx = Transaction<Database>;

/** A unit of work: the transaction plus the events it will publish once committed. */
export interface UnitOfWork {
  readonly trx: Trx;
  /** Appends to the event log and the outbox inside this transaction. */
  emit<P>(event: NewEvent<P>): Promise<DomainEvent<P>>;
  /**
   * The same for a statement of the caller's that stores the event itself (one round trip less): the
   * event as it will be stored, and `ctes`, two CTEs (`<name>_event`, `<name>_outbox`) to place in
   * that statement's WITH. Published with the transaction's other events once it commits.
   */
  emitWith<P>(event: NewEvent<P>, name: string): { event: DomainEvent<P>; ctes: RawBuilder<unknown> };
}

export interface Outbox {
  /** Runs `work` in one transaction; its events reach the bus only if it commits. */
  transact<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  /**
   * Records one event on its own (one statement, no transaction around it) and publishes it once
   * stored: for facts that change no other row, such as a call's progress.
   */
  emit<P>(event: NewEvent<P>): Promise<DomainEvent<P>>;
  /**
   * Starts relaying: events are published from memory right after their commit, and the outbox table is
   * read now and every `pollMs` for anything left over (a crash, a failed publish, another process).
   */
  start(): void;
  /** Publishes everything pending, then resolves. */
  flush(): Promise<number>;
  stop(): Promise<void>;
}

/** How long published rows wait to be deleted together. */
const DELETE_EVERY_MS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function stamped<P>(event: NewEvent<P>): DomainEvent<P> {
  return { ...event, id: newId(), occurredAt: new Date().toISOString() };
}

/** The INSERT of an event into the log, returning what its outbox row needs. */
function insertEvent(full: DomainEvent<unknown>): RawBuilder<unknown> {
  return sql`INSERT INTO events (id, tenant_id, type, aggregate_type, aggregate_id, payload, actor, occurred_at)
      VALUES (${full.id}, ${full.tenantId}, ${full.type}, ${full.aggregateType}, ${full.aggregateId},
              ${JSON.stringify(full.payload ?? null)}, ${full.actor}, ${full.occurredAt})
      RETURNING id, tenant_id`;
}

export async function appendEvent<P>(trx: Trx | Db, event: NewEvent<P>): Promise<DomainEvent<P>> {
  const full = stamped(event);
  // The event and its outbox row in one statement (one round trip per event, not two).
  await sql`
    WITH e AS (${insertEvent(full)})
    INSERT INTO outbox (event_id, tenant_id) SELECT id, tenant_id FROM e`.execute(trx);
  return full;
}

/** `appendEvent` as two CTEs of the caller's statement, named after `name`. */
function eventCtes<P>(
  event: NewEvent<P>,
  name: string,
): { event: DomainEvent<P>; ctes: RawBuilder<unknown> } {
  const full = stamped(event);
  const e = sql.id(`${name}_event`);
  return {
    event: full,
    ctes: sql`${e} AS (${insertEvent(full)}),
      ${sql.id(`${name}_outbox`)} AS (INSERT INTO outbox (event_id, tenant_id) SELECT id, tenant_id FROM ${e})`,
  };
}

interface OutboxOptions {
  db: Db;
  bus: EventBus;
  logger: Logger;
  pollMs?: number;
  batchSize?: number;
}

export function createOutbox({ db, bus, logger, pollMs = 1000, batchSize = 200 }: OutboxOptions): Outbox {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = true;
  // Events this process committed and publishes straight from memory (no read back). Their rows stay in
  // the outbox until published, so a crash loses none of them: the relay publishes what is left.
  let queue: DomainEvent[] = [];
  const inFlight = new Set<string>();
  let publishing: Promise<void> | undefined;
  // Published, their rows not yet deleted (still in `inFlight`, so the relay leaves them alone).
  const toDelete: string[] = [];
  let deleting: Promise<void> | undefined;
  // A publish failed: until the relay has caught up, new events go through it too, so order is kept.
  let degraded = false;

  async function relayBatch(): Promise<number> {
    // SKIP LOCKED lets several relays (one per process in cluster mode) share the outbox.
    return db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('outbox')
        .innerJoin('events', 'events.id', 'outbox.event_id')
        .select([
          'outbox.seq',
          'events.id',
          'events.tenant_id',
          'events.type',
          'events.aggregate_type',
          'events.aggregate_id',
          'events.payload',
          'events.actor',
          'events.occurred_at',
        ])
        .orderBy('outbox.seq')
        .limit(batchSize)
        .forUpdate('outbox')
        .skipLocked()
        .execute();
      const published: string[] = [];
      let failed = false;
      for (const row of rows) {
        // Being published from memory right now: that publisher deletes the row.
        if (inFlight.has(row.id)) continue;
        const event: DomainEvent = {
          id: row.id,
          tenantId: row.tenant_id,
          type: row.type,
          aggregateType: row.aggregate_type,
          aggregateId: row.aggregate_id,
          payload: row.payload,
          actor: row.actor,
          occurredAt: new Date(row.occurred_at).toISOString(),
        };
        try {
          await bus.publish(event);
          published.push(row.seq);
        } catch (err) {
          // Keep order: stop at the first failure and try again on the next pass.
          logger.warn({ err, eventId: row.id }, 'outbox: publish failed, will retry');
          await trx
            .updateTable('outbox')
            .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: String(err) }))
            .where('seq', '=', row.seq)
            .execute();
          failed = true;
          break;
        }
      }
      if (published.length > 0) await trx.deleteFrom('outbox').where('seq', 'in', published).execute();
      if (!failed && rows.length < batchSize) degraded = false;
      return rows.length === batchSize && published.length === rows.length
        ? -published.length
        : published.length;
    });
  }

  /** Runs batches until none is full; concurrent callers share the run in progress. */
  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        let n: number;
        do {
          n = await relayBatch();
          total += Math.abs(n);
        } while (n < 0);
      } while (again);
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  function nudge(): void {
    if (stopped) return;
    drain().catch((err) => logger.error({ err }, 'outbox: relay pass failed'));
  }

  /** Publishes the queued events in commit order, then deletes their rows in one statement a batch. */
  async function publishQueued(): Promise<void> {
    while (queue.length > 0 && !stopped) {
      const batch = queue.splice(0, batchSize);
      const done: string[] = [];
      for (const [i, event] of batch.entries()) {
        try {
          await bus.publish(event);
          done.push(event.id);
        } catch (err) {
          logger.warn({ err, eventId: event.id }, 'outbox: publish failed, the relay will retry');
          // This event and every later one go to the relay, which keeps their order.
          degraded = true;
          for (const rest of [...batch.slice(i), ...queue]) inFlight.delete(rest.id);
          queue = [];
          break;
        }
      }
      toDelete.push(...done);
      if (!deleting) deleting = sleep(DELETE_EVERY_MS).then(deletePublished);
    }
    // Stopped: what is left is in the outbox table for the next start.
    for (const rest of queue) inFlight.delete(rest.id);
    queue = [];
  }

  /** Deletes the rows of what was published, every few ms in one statement (not one per commit). */
  async function deletePublished(): Promise<void> {
    while (toDelete.length > 0) {
      const ids = toDelete.splice(0, 1000);
      try {
        await db.deleteFrom('outbox').where('event_id', 'in', ids).execute();
      } catch (err) {
        // The relay publishes them again; the bus drops an event id it has seen.
        logger.warn({ err }, 'outbox: published rows could not be deleted');
      }
      for (const id of ids) inFlight.delete(id);
    }
    deleting = undefined;
  }

  function publishNow(events: DomainEvent[]): void {
    if (stopped) return;
    if (degraded) {
      nudge();
      return;
    }
    for (const event of events) {
      queue.push(event);
      inFlight.add(event.id);
    }
    if (publishing) return;
    publishing = publishQueued()
      .catch((err) => logger.error({ err }, 'outbox: publishing failed'))
      .finally(() => {
        publishing = undefined;
        if (queue.length > 0 && !stopped) publishNow([]);
      });
  }

  return {
    async transact(work) {
      const emitted: DomainEvent[] = [];
      const result = await db.transaction().execute((trx) =>
        work({
          trx,
          emit: async (e) => {
            const full = await appendEvent(trx, e);
            emitted.push(full as DomainEvent);
            return full;
          },
          emitWith: (e, name) => {
            const made = eventCtes(e, name);
            emitted.push(made.event as DomainEvent);
            return made;
          },
        }),
      );
      if (emitted.length > 0) publishNow(emitted);
      return result;
    },
    async emit(event) {
      // One INSERT … SELECT is atomic by itself: the event and its outbox row or neither.
      const full = await appendEvent(db, event);
      publishNow([full as DomainEvent]);
      return full;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(nudge, pollMs);
      timer.unref();
      nudge();
    },
    async flush() {
      while (publishing || deleting) await (publishing ?? deleting);
      return drain();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      while (publishing || deleting) await (publishing ?? deleting);
      await running?.catch(() => undefined);
    },
  };
}
