// The ACD answers a call only once what it decided is stored, but calls that arrive while a transaction
// is being written run in memory meanwhile and are written together in the next one (group commit).
// These tests hold the guarantees that must survive that: every answered call is stored, and a failed
// write refuses every call in it and every call that ran after it, with the engine rebuilt from storage.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/core/index.js';
import { createTask, getTask, waitingTasks } from '../src/routing/index.js';
import { startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';

const pgUp = await serviceAvailable('postgres');

for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`the ACD's group commit on ${kind}`, () => {
    let t: TestApp;
    let tenantId: string;
    beforeAll(async () => {
      t = await startTestApp(kind);
      const db = t.sb.ctx.storage.db;
      tenantId = (await db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id;
      // A task marked poison cannot be stored: its whole transaction fails.
      await sql`
        CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.attributes->>'poison' = 'yes' THEN RAISE EXCEPTION 'poison task'; END IF;
          RETURN NEW;
        END $$`.execute(db);
      await sql`CREATE TRIGGER refuse_poison BEFORE INSERT ON routing_tasks
        FOR EACH ROW EXECUTE FUNCTION refuse_poison()`.execute(db);
    });
    afterAll(async () => {
      await t.close();
    });

    const actor = () => systemActor(tenantId);
    const task = (label: string, poison = false) =>
      createTask(t.sb.ctx.routing, actor(), {
        channel: 'webchat',
        attributes: { label, ...(poison && { poison: 'yes' }) },
      });
    const storedLabels = async () =>
      (
        await t.sb.ctx.storage.db
          .selectFrom('routing_tasks')
          .select(sql<string>`attributes->>'label'`.as('label'))
          .where('tenant_id', '=', tenantId)
          .execute()
      )
        .map((r) => r.label)
        .sort();

    it('answers 60 calls made at once only with what is stored: every task and its event', async () => {
      const labels = Array.from({ length: 60 }, (_, i) => `many-${String(i).padStart(2, '0')}`);
      const made = await Promise.all(labels.map((l) => task(l)));
      expect(new Set(made.map((m) => m.id)).size).toBe(60);
      expect((await storedLabels()).filter((l) => l.startsWith('many-'))).toEqual(labels);
      const events = await t.sb.ctx.storage.db
        .selectFrom('events')
        .select('aggregate_id')
        .where('tenant_id', '=', tenantId)
        .where('type', '=', 'routing.task.created')
        .execute();
      expect(new Set(events.map((e) => e.aggregate_id))).toEqual(new Set(made.map((m) => m.id)));
    });

    it('a failed write refuses every call written with it and after it; the engine is rebuilt from storage', async () => {
      // The first is written at once; the next three run while it is written and share a transaction,
      // which the poison task makes fail.
      const first = task('first');
      const rest = [task('second'), task('poisoned', true), task('fourth')];
      const made = await first;
      const outcomes = await Promise.allSettled(rest);
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const o of outcomes)
        expect(String((o as PromiseRejectedResult).reason)).toMatch(/try again|reloaded/);
      expect((await storedLabels()).filter((l) => !l.startsWith('many-'))).toEqual(['first']);

      // The next call runs on an engine loaded from the database: the refused tasks do not exist there.
      const after = await task('after');
      const waiting = (await waitingTasks(t.sb.ctx.routing, actor())).map((w) => w.attributes.label);
      expect(waiting).toContain('first');
      expect(waiting).toContain('after');
      expect(waiting).not.toContain('second');
      expect(waiting).not.toContain('fourth');
      expect((await getTask(t.sb.ctx.routing, actor(), made.id)).attributes.label).toBe('first');
      expect((await getTask(t.sb.ctx.routing, actor(), after.id)).attributes.label).toBe('after');
      expect((await storedLabels()).filter((l) => !l.startsWith('many-'))).toEqual(['after', 'first']);
    });
  });
}
