import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus, createNatsBus, type EventBus } from '../src/bus/index.js';
import { newId } from '../src/core/index.js';
import { createOutbox, migrateToLatest, openStorage, type Storage } from '../src/storage/index.js';
import { freshSchema } from './support/app.js';
import { SERVICES, serviceAvailable } from './support/services.js';
import { waitFor } from './support/wait.js';

const pgUp = await serviceAvailable('postgres');
const natsUp = await serviceAvailable('nats');
const silent = pino({ level: 'silent' });

type BusKind = 'memory' | 'nats';
async function makeBus(kind: BusKind, prefix: string): Promise<EventBus> {
  if (kind === 'memory') return createMemoryBus();
  return createNatsBus({ url: SERVICES.nats.url, stream: prefix.toUpperCase(), subjectPrefix: prefix });
}

async function dropStream(prefix: string) {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: SERVICES.nats.url });
  try {
    await (await jetstreamManager(nc)).streams.delete(prefix.toUpperCase());
  } catch {
    // already gone
  }
  await nc.close();
}

const matrix: [db: 'pglite' | 'postgres', bus: BusKind][] = [
  ['pglite', 'memory'],
  ['postgres', 'memory'],
  ['pglite', 'nats'],
  ['postgres', 'nats'],
];

for (const [dbKind, busKind] of matrix) {
  const skip = (dbKind === 'postgres' && !pgUp) || (busKind === 'nats' && !natsUp);
  describe.skipIf(skip)(`the transactional outbox on ${dbKind} with the ${busKind} bus`, () => {
    let schema: { schema: string; drop: () => Promise<void> } | undefined;
    let dataDir: string | undefined;
    const prefix = `sbtest_${newId().replaceAll('-', '').slice(-10)}`;
    const open = () =>
      openStorage(
        dbKind === 'postgres'
          ? { databaseUrl: SERVICES.postgres.url, schema: schema?.schema }
          : { dataDir: dataDir as string },
      );

    beforeAll(async () => {
      if (dbKind === 'postgres') schema = await freshSchema();
      else dataDir = (await import('node:fs')).mkdtempSync('/tmp/sb-outbox-');
      const s = await open();
      await migrateToLatest(s.db as never, s.schema);
      await s.close();
    });
    afterAll(async () => {
      await schema?.drop();
      if (busKind === 'nats') await dropStream(prefix);
    });

    const tenantId = newId();
    const event = (type: string) => ({
      tenantId,
      type,
      aggregateType: 'test',
      aggregateId: newId(),
      payload: { n: 1, text: '你好' },
      actor: 'system:test',
    });

    it('publishes a committed event, and never one whose transaction rolled back', async () => {
      const storage: Storage = await open();
      const bus = await makeBus(busKind, prefix);
      const seen: string[] = [];
      await bus.subscribe({ pattern: `sb.${tenantId}.>`, handler: (e) => void seen.push(e.type) });
      const outbox = createOutbox({ db: storage.db, bus, logger: silent, pollMs: 50 });
      outbox.start();
      await expect(
        outbox.transact(async (uow) => {
          await uow.emit(event('rolled.back'));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await outbox.transact(async (uow) => {
        await uow.emit(event('committed.one'));
      });
      await waitFor(() => seen.includes('committed.one'));
      await outbox.flush();
      expect(seen).not.toContain('rolled.back');
      const logged = await storage.db
        .selectFrom('events')
        .select('type')
        .where('tenant_id', '=', tenantId)
        .execute();
      expect(logged.map((r) => r.type)).toEqual(['committed.one']);
      await outbox.stop();
      await bus.close();
      await storage.close();
    });

    it('publishes after a restart what was committed before the process stopped', async () => {
      // First life: commits, but its relay never runs (as if the process died right after commit).
      const first = await open();
      const deadBus = await makeBus(busKind, prefix);
      const dying = createOutbox({ db: first.db, bus: deadBus, logger: silent });
      const committed = await dying.transact((uow) => uow.emit(event('before.crash')));
      await deadBus.close();
      await first.close();

      // Second life: the relay finds it and publishes it, once.
      const second = await open();
      const bus = await makeBus(busKind, prefix);
      const seen: string[] = [];
      await bus.subscribe({
        pattern: `sb.${tenantId}.before.>`,
        durable: `d_${prefix}_${dbKind}`,
        handler: (e) => void seen.push(e.id),
      });
      const outbox = createOutbox({ db: second.db, bus, logger: silent, pollMs: 50 });
      outbox.start();
      await waitFor(() => seen.includes(committed.id));
      await outbox.flush();
      const pending = await second.db.selectFrom('outbox').select('event_id').execute();
      expect(pending).toEqual([]);
      expect(seen.filter((id) => id === committed.id)).toHaveLength(1);
      await outbox.stop();
      await bus.close();
      await second.close();
    });

    it('a failed publish loses nothing: the relay publishes it and the events after it, in commit order', async () => {
      const storage: Storage = await open();
      const real = await makeBus(busKind, prefix);
      let failures = 1;
      const flaky: EventBus = {
        kind: real.kind,
        publish: (e) => (failures-- > 0 ? Promise.reject(new Error('bus down')) : real.publish(e)),
        subscribe: (o) => real.subscribe(o),
        ping: () => real.ping(),
        close: () => real.close(),
      };
      const seen: string[] = [];
      await real.subscribe({ pattern: `sb.${tenantId}.flaky.>`, handler: (e) => void seen.push(e.type) });
      const outbox = createOutbox({ db: storage.db, bus: flaky, logger: silent, pollMs: 50 });
      outbox.start();
      await outbox.flush();
      for (const n of ['one', 'two', 'three']) await outbox.transact((uow) => uow.emit(event(`flaky.${n}`)));
      await waitFor(() => seen.length >= 3);
      await outbox.flush();
      expect(seen).toEqual(['flaky.one', 'flaky.two', 'flaky.three']);
      const left = await storage.db.selectFrom('outbox').select('event_id').execute();
      expect(left).toEqual([]);
      await outbox.stop();
      await real.close();
      await storage.close();
    });

    it('emit stores one event with its outbox row, publishes it, and leaves the outbox empty', async () => {
      const storage: Storage = await open();
      const bus = await makeBus(busKind, prefix);
      const seen: string[] = [];
      await bus.subscribe({ pattern: `sb.${tenantId}.alone.>`, handler: (e) => void seen.push(e.id) });
      const outbox = createOutbox({ db: storage.db, bus, logger: silent, pollMs: 50 });
      outbox.start();
      const sent = await outbox.emit(event('alone.fact'));
      await waitFor(() => seen.includes(sent.id));
      await outbox.flush();
      const stored = await storage.db
        .selectFrom('events')
        .select(['type', 'payload'])
        .where('id', '=', sent.id)
        .execute();
      expect(stored).toEqual([{ type: 'alone.fact', payload: { n: 1, text: '你好' } }]);
      expect(await storage.db.selectFrom('outbox').select('event_id').execute()).toEqual([]);
      expect(seen).toEqual([sent.id]);
      await outbox.stop();
      await bus.close();
      await storage.close();
    });
  });
}
