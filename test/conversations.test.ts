import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/core/index.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';

const pgUp = await serviceAvailable('postgres');

type Payload = Record<string, unknown>;

for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`customers, conversations and messages (${kind})`, () => {
    let t: TestApp;
    let auth: string;
    let agentAuth: string;
    let ownerId: string;
    let tenantId: string;

    beforeAll(async () => {
      t = await startTestApp(kind);
      auth = await t.login(OWNER.email, OWNER.password);
      const me = (
        await t.sb.server.app.inject({ url: '/api/v1/auth/me', headers: { authorization: auth } })
      ).json();
      ownerId = me.id;
      tenantId = me.tenantId;
      await call('POST', '/api/v1/users', {
        email: `agent.${kind}@acme.test`,
        password: 'agent password 1',
        role: 'agent',
      });
      agentAuth = await t.login(`agent.${kind}@acme.test`, 'agent password 1');
    });
    afterAll(() => t?.close());

    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Payload, as = auth) =>
      t.sb.server.app.inject({ method, url, headers: { authorization: as }, ...(payload && { payload }) });
    const db = () => t.sb.ctx.storage.db;
    // The ACD queues new conversations on its own, after the commit: its `routing.*` events are not the request's.
    const eventCount = async (tenant = tenantId) =>
      Number(
        (
          await db()
            .selectFrom('events')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('tenant_id', '=', tenant)
            .where('type', 'not like', 'routing.%')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const customersWith = (value: string) =>
      db().selectFrom('identities').select(['customer_id', 'tenant_id']).where('value', '=', value).execute();
    const inbound = (identity: Payload, extra: Payload = {}, as = auth) =>
      call(
        'POST',
        '/api/v1/messages/inbound',
        { channelType: 'webchat', identity, text: 'hello', idempotencyKey: randomUUID(), ...extra },
        as,
      );

    it('creates, reads, changes and finds customers; identities are trimmed and e-mail lower-cased', async () => {
      const created = await call('POST', '/api/v1/customers', {
        displayName: '张伟',
        tier: 3,
        attributes: { city: '上海' },
        identities: [
          { kind: 'email', value: '  Zhang.Wei@Example.COM ' },
          { kind: 'phone', value: '+8613800000001', verified: true },
        ],
      });
      expect(created.statusCode).toBe(201);
      const c = created.json();
      expect(created.headers.location).toBe(`/api/v1/customers/${c.id}`);
      expect(c).toMatchObject({ displayName: '张伟', tier: 3, attributes: { city: '上海' }, tenantId });
      expect(c.identities.map((i: Payload) => [i.kind, i.value, i.verified])).toEqual([
        ['email', 'zhang.wei@example.com', false],
        ['phone', '+8613800000001', true],
      ]);

      const patched = await call('PATCH', `/api/v1/customers/${c.id}`, {
        tier: 9,
        attributes: { vip: true },
      });
      expect(patched.json()).toMatchObject({ tier: 9, attributes: { vip: true }, displayName: '张伟' });
      expect((await call('GET', `/api/v1/customers/${c.id}`)).json().identities).toHaveLength(2);

      for (const q of ['张', 'ZHANG.WEI@example.com', '+8613800000001']) {
        const found = await call('GET', `/api/v1/customers?q=${encodeURIComponent(q)}`);
        expect(
          found.json().items.map((x: Payload) => x.id),
          q,
        ).toEqual([c.id]);
      }
      expect((await call('GET', '/api/v1/customers?q=%25')).json().items).toEqual([]);
      expect((await call('PATCH', `/api/v1/customers/${c.id}`, { tier: 10 })).statusCode).toBe(400);
      expect((await call('PATCH', `/api/v1/customers/${c.id}`, { nickname: 'x' })).statusCode).toBe(400);
    });

    it('pages customers by id with a cursor, without gaps or repeats', async () => {
      for (let i = 0; i < 3; i++) await call('POST', '/api/v1/customers', { displayName: `Pager ${i}` });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await call(
          'GET',
          `/api/v1/customers?q=Pager&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        const page: { items: Payload[]; nextCursor: string | null } = res.json();
        seen.push(...page.items.map((x) => String(x.displayName)));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['Pager 0', 'Pager 1', 'Pager 2']);
    });

    it('an identity owned by another customer is a 409 naming it, and nothing is written', async () => {
      const owner = (
        await call('POST', '/api/v1/customers', { identities: [{ kind: 'wechat_openid', value: 'oAbc123' }] })
      ).json();
      const before = await eventCount();
      const customersBefore = await db().selectFrom('customers').select('id').execute();
      const res = await call('POST', '/api/v1/customers', {
        displayName: 'Copycat',
        identities: [
          { kind: 'phone', value: '+8613911112222' },
          { kind: 'wechat_openid', value: ' oAbc123 ' },
        ],
      });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('CONFLICT');
      expect(res.json().detail).toBe(
        `the wechat_openid identity "oAbc123" already belongs to customer ${owner.id}`,
      );
      expect(await eventCount()).toBe(before);
      expect(await db().selectFrom('customers').select('id').execute()).toHaveLength(customersBefore.length);
      expect(await customersWith('+8613911112222')).toEqual([]);

      const other = (await call('POST', '/api/v1/customers', { displayName: 'Other' })).json();
      const add = await call('POST', `/api/v1/customers/${other.id}/identities`, {
        kind: 'wechat_openid',
        value: 'oAbc123',
      });
      expect(add.statusCode).toBe(409);
      const twice = await call('POST', '/api/v1/customers', {
        identities: [
          { kind: 'email', value: 'a@b.test' },
          { kind: 'email', value: 'A@B.test' },
        ],
      });
      expect(twice.statusCode).toBe(400);
    });

    it('agents add identities; only a supervisor or above removes one', async () => {
      const c = (await call('POST', '/api/v1/customers', { displayName: 'Li Na' })).json();
      const added = await call(
        'POST',
        `/api/v1/customers/${c.id}/identities`,
        { kind: 'telegram', value: '777' },
        agentAuth,
      );
      expect(added.statusCode).toBe(201);
      const url = `/api/v1/customers/${c.id}/identities/${added.json().id}`;
      expect((await call('DELETE', url, undefined, agentAuth)).statusCode).toBe(403);
      expect((await call('DELETE', url)).statusCode).toBe(204);
      expect((await call('DELETE', url)).statusCode).toBe(404);
      expect((await call('GET', `/api/v1/customers/${c.id}`)).json().identities).toEqual([]);
    });

    it('a conversation is opened, listed newest first, changed, and its changes are events', async () => {
      const c = (await call('POST', '/api/v1/customers', { displayName: 'Lifecycle' })).json();
      const ids: string[] = [];
      for (const subject of ['first', 'second', 'third']) {
        const res = await call('POST', '/api/v1/conversations', {
          customerId: c.id,
          channelType: 'email',
          subject,
        });
        expect(res.statusCode).toBe(201);
        expect(res.json()).toMatchObject({
          status: 'open',
          channelType: 'email',
          subject,
          lastMessageAt: null,
        });
        ids.push(res.json().id);
      }
      const page1 = (await call('GET', `/api/v1/conversations?customerId=${c.id}&limit=2`)).json();
      expect(page1.items.map((x: Payload) => x.id)).toEqual([ids[2], ids[1]]);
      const page2 = (
        await call('GET', `/api/v1/conversations?customerId=${c.id}&cursor=${page1.nextCursor}`)
      ).json();
      expect(page2).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

      const patched = await call('PATCH', `/api/v1/conversations/${ids[0]}`, {
        status: 'pending',
        assigneeId: ownerId,
        tags: ['billing', 'vip'],
        priority: 5,
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({
        status: 'pending',
        assigneeId: ownerId,
        tags: ['billing', 'vip'],
      });
      const event = await db()
        .selectFrom('events')
        .select('payload')
        .where('aggregate_id', '=', ids[0]!)
        .where('type', '=', 'conversation.updated')
        .executeTakeFirstOrThrow();
      expect((event.payload as Payload).changed).toEqual(['status', 'priority', 'assigneeId', 'tags']);
      const mine = (await call('GET', `/api/v1/conversations?assigneeId=${ownerId}&status=pending`)).json();
      expect(mine.items.map((x: Payload) => x.id)).toEqual([ids[0]]);
      const unassigned = await call('PATCH', `/api/v1/conversations/${ids[0]}`, { assigneeId: null });
      expect(unassigned.json().assigneeId).toBeNull();
    });

    it('naming an unknown or foreign customer, queue or user is a 404 naming it, and nothing changes', async () => {
      const c = (await call('POST', '/api/v1/customers', { displayName: 'Refs' })).json();
      const conv = (
        await call('POST', '/api/v1/conversations', { customerId: c.id, channelType: 'sms' })
      ).json();
      const before = await eventCount();
      const ghost = newId();
      const res = await call('PATCH', `/api/v1/conversations/${conv.id}`, {
        status: 'closed',
        assigneeId: ghost,
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().detail).toBe(`user ${ghost} does not exist`);
      const queue = await call('POST', '/api/v1/conversations', {
        customerId: c.id,
        channelType: 'sms',
        queueId: ghost,
      });
      expect(queue.statusCode).toBe(404);
      expect(queue.json().detail).toBe(`queue ${ghost} does not exist`);
      const customer = await call('POST', '/api/v1/conversations', { customerId: ghost, channelType: 'sms' });
      expect(customer.statusCode).toBe(404);
      expect((await call('GET', `/api/v1/conversations/${conv.id}`)).json()).toEqual({
        ...conv,
        taskId: null,
      });
      expect(await eventCount()).toBe(before);
    });

    it('an agent reply on a conversation without a channel is stored, not queued, and moves its last activity', async () => {
      const c = (await call('POST', '/api/v1/customers', { displayName: 'Reply' })).json();
      const conv = (
        await call('POST', '/api/v1/conversations', { customerId: c.id, channelType: 'whatsapp' })
      ).json();
      const sent = await call('POST', `/api/v1/conversations/${conv.id}/messages`, {
        text: '您好，请问有什么可以帮您？',
      });
      expect(sent.statusCode).toBe(201);
      expect(sent.json()).toMatchObject({
        direction: 'out',
        senderType: 'agent',
        senderId: ownerId,
        channelType: 'whatsapp',
        deliveryStatus: 'stored',
        idempotencyKey: null,
      });
      const after = (await call('GET', `/api/v1/conversations/${conv.id}`)).json();
      expect(after.lastMessageAt).toBe(sent.json().createdAt);
      const types = await db()
        .selectFrom('events')
        .select('type')
        .where('aggregate_id', '=', conv.id)
        .execute();
      expect(types.map((e) => e.type)).toEqual(['conversation.created', 'message.created']);
      await call('POST', `/api/v1/conversations/${conv.id}/messages`, { text: 'second' });
      const list = (await call('GET', `/api/v1/conversations/${conv.id}/messages?limit=1`)).json();
      expect(list.items[0].id).toBe(sent.json().id);
      const rest = (
        await call('GET', `/api/v1/conversations/${conv.id}/messages?cursor=${list.nextCursor}`)
      ).json();
      expect(rest.items.map((m: Payload) => m.text)).toEqual(['second']);
      const tooLong = await call('POST', `/api/v1/conversations/${conv.id}/messages`, {
        text: 'x'.repeat(10_001),
      });
      expect(tooLong.statusCode).toBe(400);
      expect((await call('POST', `/api/v1/conversations/${conv.id}/messages`, { text: '' })).statusCode).toBe(
        400,
      );
    });

    it('an inbound message from a new identity creates customer, conversation and message in one go', async () => {
      const res = await inbound(
        { kind: 'phone', value: '+8613700000000' },
        { displayName: '王芳', text: '在吗？' },
      );
      expect(res.statusCode).toBe(201);
      const { message, conversation, duplicate } = res.json();
      expect(duplicate).toBe(false);
      expect(message).toMatchObject({
        direction: 'in',
        senderType: 'customer',
        text: '在吗？',
        channelType: 'webchat',
      });
      expect(conversation).toMatchObject({
        status: 'open',
        channelType: 'webchat',
        lastMessageAt: expect.any(String),
      });
      const customer = (await call('GET', `/api/v1/customers/${conversation.customerId}`)).json();
      expect(customer.displayName).toBe('王芳');
      const types = await db()
        .selectFrom('events')
        .select('type')
        .where('aggregate_id', 'in', [conversation.id, customer.id])
        .orderBy('seq')
        .execute();
      expect(types.map((e) => e.type)).toEqual([
        'customer.created',
        'conversation.created',
        'message.received',
      ]);
    });

    it('the next inbound from the same identity on another channel continues the same conversation', async () => {
      const first = (
        await inbound({ kind: 'email', value: 'cross@channel.test' }, { channelType: 'email' })
      ).json();
      const second = await inbound(
        { kind: 'email', value: ' CROSS@channel.test' },
        { channelType: 'wechat' },
      );
      expect(second.statusCode).toBe(201);
      expect(second.json().conversation).toMatchObject({ id: first.conversation.id, channelType: 'wechat' });
      expect(second.json().message.channelType).toBe('wechat');
      expect(await customersWith('cross@channel.test')).toHaveLength(1);

      await call('PATCH', `/api/v1/conversations/${first.conversation.id}`, { status: 'resolved' });
      const third = (await inbound({ kind: 'email', value: 'cross@channel.test' })).json();
      expect(third.conversation.id).not.toBe(first.conversation.id);
      expect(third.conversation.customerId).toBe(first.conversation.customerId);
    });

    it('the same idempotency key twice gives one message and duplicate: true, and writes nothing', async () => {
      const payload = {
        identity: { kind: 'whatsapp', value: '+85291234567' },
        idempotencyKey: 'wamid.HBgL-1',
      };
      const first = await inbound(payload.identity, { idempotencyKey: payload.idempotencyKey });
      const events = await eventCount();
      const again = await inbound(payload.identity, {
        idempotencyKey: payload.idempotencyKey,
        text: 'changed',
      });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ duplicate: true, message: first.json().message });
      expect(await eventCount()).toBe(events);
      const rows = await db()
        .selectFrom('messages')
        .select('id')
        .where('idempotency_key', '=', 'wamid.HBgL-1')
        .execute();
      expect(rows).toHaveLength(1);

      const raced = await Promise.all(
        Array.from({ length: 5 }, () =>
          inbound({ kind: 'telegram', value: '4242' }, { idempotencyKey: 'tg-race-1' }),
        ),
      );
      expect(raced.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 201]);
      expect(new Set(raced.map((r) => r.json().message.id)).size).toBe(1);
    });

    it('20 concurrent first messages from one new identity make exactly one customer and one conversation', async () => {
      const identity = { kind: 'device', value: `device-${kind}-burst` };
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => inbound(identity, { text: `m${i}` })),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
      const owners = await customersWith(identity.value);
      expect(owners).toHaveLength(1);
      expect(new Set(results.map((r) => r.json().conversation.customerId))).toEqual(
        new Set([owners[0]!.customer_id]),
      );
      expect(new Set(results.map((r) => r.json().conversation.id)).size).toBe(1);
      const orphans = await db()
        .selectFrom('customers')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', 'not in', db().selectFrom('identities').select('customer_id'))
        .where('display_name', '=', '')
        .execute();
      expect(orphans).toEqual([]);
    });

    it('an inbound naming an unknown channel is a 404 and leaves no customer, conversation or event', async () => {
      const before = await eventCount();
      const channelId = newId();
      const res = await inbound({ kind: 'app_user', value: 'u-404' }, { channelId });
      expect(res.statusCode).toBe(404);
      expect(res.json().detail).toBe(`channel ${channelId} does not exist`);
      expect(await customersWith('u-404')).toEqual([]);
      expect(await eventCount()).toBe(before);
    });

    it('another tenant sees none of it, cannot write into it, and gets its own customer for the same identity', async () => {
      const mine = (await inbound({ kind: 'phone', value: '+8613600000000' })).json();
      const other = await t.addTenant(`other-${kind}`);
      const { customerId, id: convId } = mine.conversation;
      for (const url of [`/api/v1/customers/${customerId}`, `/api/v1/conversations/${convId}`]) {
        expect((await call('GET', url, undefined, other.auth)).statusCode).toBe(404);
      }
      const writes = [
        call('POST', `/api/v1/conversations/${convId}/messages`, { text: 'hi' }, other.auth),
        call('GET', `/api/v1/conversations/${convId}/messages`, undefined, other.auth),
        call('PATCH', `/api/v1/conversations/${convId}`, { status: 'closed' }, other.auth),
        call('PATCH', `/api/v1/customers/${customerId}`, { tier: 1 }, other.auth),
        call('POST', `/api/v1/customers/${customerId}/identities`, { kind: 'phone', value: '1' }, other.auth),
        call('POST', '/api/v1/conversations', { customerId, channelType: 'sms' }, other.auth),
      ];
      for (const res of await Promise.all(writes)) expect(res.statusCode).toBe(404);
      expect((await call('GET', '/api/v1/customers', undefined, other.auth)).json().items).toEqual([]);
      expect((await call('GET', '/api/v1/conversations', undefined, other.auth)).json().items).toEqual([]);
      const theirs = await inbound({ kind: 'phone', value: '+8613600000000' }, {}, other.auth);
      expect(theirs.statusCode).toBe(201);
      expect(theirs.json().conversation.customerId).not.toBe(customerId);
      expect(theirs.json().conversation.tenantId).toBe(other.tenantId);
      const ownOwnConv = (
        await call('GET', `/api/v1/conversations/${theirs.json().conversation.id}`, undefined, other.auth)
      ).json();
      const foreignAssignee = await call(
        'PATCH',
        `/api/v1/conversations/${ownOwnConv.id}`,
        { assigneeId: ownerId },
        other.auth,
      );
      expect(foreignAssignee.statusCode).toBe(404);
      expect((await customersWith('+8613600000000')).map((r) => r.tenant_id).sort()).toEqual(
        [tenantId, other.tenantId].sort(),
      );
      expect((await call('GET', `/api/v1/conversations/${convId}`)).json().status).toBe('open');
    });
  });
}
