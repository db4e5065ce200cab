import type { Transaction } from 'kysely';
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
}

export interface Outbox {
  /** Runs `work` in one transaction; its events reach the bus only if it commits. */
  transact<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  /** Starts relaying: now, after every commit, and every `pollMs` for anything left over. */
  start(): void;
  /** Publishes everything pending, then resolves. */
  flush(): Promise<number>;
  stop(): Promise<void>;
}

export async function appendEvent<P>(trx: Trx, event: NewEvent<P>): Promise<DomainEvent<P>> {
  const full: DomainEvent<P> = { ...event, id: newId(), occurredAt: new Date().toISOString() };
  await trx
    .insertInto('events')
    .values({
      id: full.id,
      tenant_id: full.tenantId,
      type: full.type,
      aggregate_type: full.aggregateType,
      aggregate_id: full.aggregateId,
      payload: JSON.stringify(full.payload ?? null),
      actor: full.actor,
      occurred_at: full.occurredAt,
    })
    .execute();
  await trx.insertInto('outbox').values({ event_id: full.id, tenant_id: full.tenantId }).execute();
  return full;
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
      for (const row of rows) {
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
          break;
        }
      }
      if (published.length > 0) await trx.deleteFrom('outbox').where('seq', 'in', published).execute();
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

  return {
    async transact(work) {
      const result = await db.transaction().execute((trx) => work({ trx, emit: (e) => appendEvent(trx, e) }));
      nudge();
      return result;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(nudge, pollMs);
      timer.unref();
      nudge();
    },
    flush: drain,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
