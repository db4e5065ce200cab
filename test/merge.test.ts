import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveInbound } from '../src/conversations/index.js';
import { systemActor } from '../src/core/index.js';
import { createCustomer, mergeCustomers, unmergeCustomers } from '../src/identity/index.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { waitFor } from './support/wait.js';

describe('merging and unmerging customers', () => {
  let t: TestApp;
  let auth: string;
  let tenantId: string;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    auth = await t.login(OWNER.email, OWNER.password);
    tenantId = (await t.inject({ url: '/api/v1/tenant', headers: { authorization: auth } })).json().id;
  });
  afterAll(() => t.close());

  const deps = () => ({ db: t.sb.ctx.storage.db, outbox: t.sb.ctx.outbox });

  /** Everything that says who owns what, in a stable order. */
  async function snapshot(ids: string[]) {
    const db = t.sb.ctx.storage.db;
    return {
      customers: await db
        .selectFrom('customers')
        .select(['id', 'merged_into', 'display_name'])
        .where('id', 'in', ids)
        .orderBy('id')
        .execute(),
      identities: await db
        .selectFrom('identities')
        .select(['id', 'customer_id'])
        .where('customer_id', 'in', ids)
        .orderBy('id')
        .execute(),
      conversations: await db
        .selectFrom('conversations')
        .select(['id', 'customer_id'])
        .where('customer_id', 'in', ids)
        .orderBy('id')
        .execute(),
    };
  }

  it('unmerge after merge restores both customers exactly (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
        fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
        async ([idsA, idsB], [convsA, convsB]) => {
          run++;
          const actor = systemActor(tenantId);
          const make = async (label: string, nIds: number, nConvs: number) => {
            const c = await createCustomer(deps(), actor, {
              // Every other survivor is nameless, so merging also lends it the other's name.
              displayName: label.startsWith('a') && run % 2 === 0 ? '' : label,
              identities: Array.from({ length: nIds }, (_, i) => ({
                kind: 'email' as const,
                value: `${label}-${i}@x.test`,
              })),
            });
            for (let i = 0; i < nConvs; i++) {
              const conv = await t.inject({
                method: 'POST',
                url: '/api/v1/conversations',
                headers: { authorization: auth },
                payload: { customerId: c.id, channelType: 'webchat' },
              });
              expect(conv.statusCode).toBe(201);
            }
            return c.id;
          };
          const a = await make(`a${run}`, idsA, convsA);
          const b = await make(`b${run}`, idsB, convsB);
          const before = await snapshot([a, b]);
          const merge = await mergeCustomers(deps(), actor, {
            survivorId: a,
            mergedId: b,
            confidence: 0.97,
            evidence: {
              source: 'probabilistic',
              fields: [{ field: 'name', level: 'pinyin', weight: 6.2 }],
              total: 9.1,
            },
          });
          const merged = await snapshot([a, b]);
          expect(merged.identities.every((i) => i.customer_id === a)).toBe(true);
          expect(merged.conversations.every((c) => c.customer_id === a)).toBe(true);
          await unmergeCustomers(deps(), actor, merge.id);
          expect(await snapshot([a, b])).toEqual(before);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('through the API: the explain endpoint names the evidence; the merged customer leaves lists; undo is audited', async () => {
    const actor = systemActor(tenantId);
    const chat = await receiveInbound(deps(), actor, {
      channelType: 'webchat',
      identity: { kind: 'device', value: 'visitor-42' },
      displayName: '张伟',
      text: '我的手机号是 13800138000',
      idempotencyKey: 'merge-api-1',
    });
    const tg = await receiveInbound(deps(), actor, {
      channelType: 'telegram',
      identity: { kind: 'telegram', value: '5123456789' },
      displayName: 'Zhang Wei',
      text: 'same person on Telegram',
      idempotencyKey: 'merge-api-2',
    });
    const survivor = chat.conversation.customerId;
    const other = tg.conversation.customerId;
    expect(survivor).not.toBe(other);
    const agent = await t.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: auth },
      payload: { email: 'merge.agent@acme.test', password: 'merge agent pw', role: 'agent' },
    });
    expect(agent.statusCode).toBe(201);
    const agentAuth = await t.login('merge.agent@acme.test', 'merge agent pw');
    const forbidden = await t.inject({
      method: 'POST',
      url: `/api/v1/customers/${survivor}/merge`,
      headers: { authorization: agentAuth },
      payload: { otherId: other },
    });
    expect(forbidden.statusCode).toBe(403);

    const res = await t.inject({
      method: 'POST',
      url: `/api/v1/customers/${survivor}/merge`,
      headers: { authorization: auth },
      payload: { otherId: other, note: 'customer confirmed by phone' },
    });
    expect(res.statusCode).toBe(201);
    // The merge's event is in the log (written by the merge's own statement) and leaves the outbox once published.
    const mergeId = res.json().id as string;
    const logged = await t.sb.ctx.storage.db
      .selectFrom('events')
      .select(['id', 'aggregate_id', 'payload'])
      .where('type', '=', 'customer.merged')
      .where('aggregate_id', '=', survivor)
      .execute();
    expect(logged).toHaveLength(1);
    expect(logged[0]!.payload).toMatchObject({ mergeId, customerId: survivor, mergedId: other });
    await t.sb.ctx.outbox.flush();
    await waitFor(
      async () =>
        (await t.sb.ctx.storage.db
          .selectFrom('outbox')
          .select('event_id')
          .where('event_id', '=', logged[0]!.id)
          .executeTakeFirst()) === undefined,
    );
    const explain = (
      await t.inject({ url: `/api/v1/customers/${survivor}/identity`, headers: { authorization: auth } })
    ).json();
    expect(explain.customer.identities.map((i: { kind: string }) => i.kind).sort()).toEqual([
      'device',
      'telegram',
    ]);
    expect(explain.merges[0]).toMatchObject({
      mergedId: other,
      status: 'active',
      evidence: { source: 'manual', note: 'customer confirmed by phone' },
    });
    const timeline = (
      await t.inject({ url: `/api/v1/customers/${survivor}/timeline`, headers: { authorization: auth } })
    ).json();
    expect(timeline.items.map((i: { text: string }) => i.text)).toContain('same person on Telegram');
    const list = (
      await t.inject({ url: '/api/v1/customers?limit=200', headers: { authorization: auth } })
    ).json();
    expect(list.items.map((c: { id: string }) => c.id)).not.toContain(other);

    const again = await t.inject({
      method: 'POST',
      url: `/api/v1/customers/${survivor}/merge`,
      headers: { authorization: auth },
      payload: { otherId: other },
    });
    expect(again.statusCode).toBe(409);

    const undo = await t.inject({
      method: 'POST',
      url: `/api/v1/customer-merges/${res.json().id}/undo`,
      headers: { authorization: auth },
      payload: { reason: 'two different people after all' },
    });
    expect(undo.statusCode).toBe(200);
    expect(undo.json().status).toBe('undone');
    const back = (
      await t.inject({ url: `/api/v1/customers/${other}/timeline`, headers: { authorization: auth } })
    ).json();
    const backMessages = back.items.filter((i: { kind: string }) => i.kind === 'message');
    expect(backMessages.map((i: { text: string }) => i.text)).toEqual(['same person on Telegram']);
    // Its history also says it was merged once, and that the merge was undone.
    expect(back.items.find((i: { kind: string }) => i.kind === 'merge')).toMatchObject({
      role: 'merged',
      status: 'undone',
      otherCustomerId: survivor,
    });
    const audit = await t.sb.ctx.storage.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'customer.%merged')
      .where('target_id', '=', survivor)
      .execute();
    expect(audit.map((r) => r.action).sort()).toEqual(['customer.merged', 'customer.unmerged']);
  });
});
