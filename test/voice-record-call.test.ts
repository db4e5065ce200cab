// Recording a call as a conversation: the SIP Call-ID is the idempotency key, so recording the same
// call again (a retried handler, a second process) returns the first recording and writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordCall, resolveCaller } from '../src/conversations/index.js';
import { systemActor } from '../src/core/index.js';
import { startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';

const pgUp = await serviceAvailable('postgres');

for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`recording a call on ${kind}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(kind);
    });
    afterAll(async () => {
      await t.close();
    });

    it('a second recording of the same call returns the first and writes no second conversation', async () => {
      const db = t.sb.ctx.storage.db;
      const tenant = await db.selectFrom('tenants').select('id').executeTakeFirstOrThrow();
      const actor = systemActor(tenant.id);
      const store = { db, outbox: t.sb.ctx.outbox };
      const caller = await resolveCaller(store, actor, '+8613800138000');
      expect(caller.created).toBe(true);
      expect(caller.customer.identities.map((i) => [i.kind, i.value])).toEqual([['phone', '+8613800138000']]);
      const again = await resolveCaller(store, actor, '0086 138 0013 8000');
      expect(again).toMatchObject({ created: false, customer: { id: caller.customer.id } });

      const input = {
        customerId: caller.customer.id,
        callId: 'a84b4c76e66710@pc33.example.com',
        summary: 'Call from +8613800138000',
        details: { call: { id: 'a84b4c76e66710@pc33.example.com' } },
        status: 'open' as const,
        occurredAt: new Date(),
      };
      const first = await recordCall(store, actor, input);
      expect(first.duplicate).toBe(false);
      const second = await recordCall(store, actor, { ...input, summary: 'a retry' });
      expect(second.duplicate).toBe(true);
      expect(second.conversation.id).toBe(first.conversation.id);
      expect(second.message.id).toBe(first.message.id);
      expect(second.message.text).toBe('Call from +8613800138000');
      const conversations = await db
        .selectFrom('conversations')
        .select('id')
        .where('customer_id', '=', caller.customer.id)
        .execute();
      expect(conversations).toHaveLength(1);
      const recorded = await db
        .selectFrom('events')
        .select('id')
        .where('type', '=', 'call.recorded')
        .where('aggregate_id', '=', first.conversation.id)
        .execute();
      expect(recorded).toHaveLength(1);
    });
  });
}
