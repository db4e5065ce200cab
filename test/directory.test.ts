import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConfig } from '../src/channels/secrets.js';
import { newId } from '../src/core/index.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';

const pgUp = await serviceAvailable('postgres');

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
type Json = Record<string, unknown>;

/** The four configuration resources share one CRUD contract; what differs is listed here. */
const RESOURCES = [
  {
    kind: 'team',
    path: '/api/v1/teams',
    body: (name: string) => ({ name }),
    patch: { name: 'renamed team' },
  },
  {
    kind: 'skill',
    path: '/api/v1/skills',
    body: (name: string) => ({ name, description: 'speaks Mandarin' }),
    patch: { description: '普通话' },
  },
  { kind: 'queue', path: '/api/v1/queues', body: (name: string) => ({ name }), patch: { priority: 7 } },
  {
    kind: 'channel',
    path: '/api/v1/channels',
    body: (name: string) => ({ type: 'webchat', name, config: { color: 'blue' } }),
    patch: { enabled: false },
  },
] as const;

for (const dbKind of ['pglite', 'postgres'] as const) {
  describe.skipIf(dbKind === 'postgres' && !pgUp)(`teams, skills, queues and channels on ${dbKind}`, () => {
    let t: TestApp;
    let owner: string;
    let supervisor: string;
    let agent: string;
    let agentId: string;
    let supervisorId: string;
    let tenantId: string;
    let other: { tenantId: string; auth: string; userId: string };

    const call = (method: Method, url: string, auth: string, payload?: object) =>
      t.sb.server.app.inject({ method, url, headers: { authorization: auth }, ...(payload && { payload }) });
    const db = () => t.sb.ctx.storage.db;
    const eventTypes = async (id: string) => {
      const rows = await db()
        .selectFrom('events')
        .select('type')
        .where('aggregate_id', '=', id)
        .orderBy('seq')
        .execute();
      return rows.map((r) => r.type);
    };
    const auditActions = async (id: string) => {
      const rows = await db()
        .selectFrom('audit_log')
        .select('action')
        .where('target_id', '=', id)
        .orderBy('seq')
        .execute();
      return rows.map((r) => r.action);
    };
    let counter = 0;
    const unique = (label: string) => `${label} ${++counter}`;
    const create = async (path: string, payload: object, auth = owner): Promise<Json> => {
      const res = await call('POST', path, auth, payload);
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    };
    const userId = async (email: string) =>
      (await db().selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    const addUser = async (email: string, role: string) => {
      const password = `${role} password 1`;
      await create('/api/v1/users', { email, password, role });
      return { id: await userId(email), auth: await t.login(email, password) };
    };
    /** Conversations belong to another module; a raw row is all these tests need. */
    const addConversation = async (queueId: unknown, channelId: unknown) => {
      const customerId = newId();
      await sql`INSERT INTO customers (id, tenant_id) VALUES (${customerId}, ${tenantId})`.execute(db());
      const values = sql.join([newId(), tenantId, customerId, 'sms', queueId, channelId]);
      const columns = sql`(id, tenant_id, customer_id, channel_type, queue_id, channel_id)`;
      await sql`INSERT INTO conversations ${columns} VALUES (${values})`.execute(db());
    };

    beforeAll(async () => {
      t = await startTestApp(dbKind);
      owner = await t.login(OWNER.email, OWNER.password);
      tenantId = (await call('GET', '/api/v1/auth/me', owner)).json().tenantId;
      ({ id: agentId, auth: agent } = await addUser('agent@acme.test', 'agent'));
      ({ id: supervisorId, auth: supervisor } = await addUser('sup@acme.test', 'supervisor'));
      const o = await t.addTenant('other');
      other = { tenantId: o.tenantId, auth: o.auth, userId: await userId(o.email) };
    });
    afterAll(() => t?.close());

    describe.each(RESOURCES)('$kind', (r) => {
      it('is created, read, updated and deleted, with an event and an audit entry for each change', async () => {
        const created = await create(r.path, r.body(unique(r.kind)));
        expect(created).toMatchObject({ id: expect.any(String), tenantId, createdAt: expect.any(String) });
        const url = `${r.path}/${created.id}`;
        const read = await call('GET', url, supervisor);
        expect(read.statusCode).toBe(200);
        expect(read.json()).toMatchObject({ id: created.id, name: created.name });
        const patched = await call('PATCH', url, owner, r.patch);
        expect(patched.statusCode, patched.body).toBe(200);
        expect(patched.json()).toMatchObject(r.patch);
        expect((await call('GET', url, supervisor)).json()).toMatchObject(r.patch);
        expect((await call('DELETE', url, owner)).statusCode).toBe(204);
        expect((await call('GET', url, supervisor)).statusCode).toBe(404);
        const id = String(created.id);
        const changes = [`${r.kind}.created`, `${r.kind}.updated`, `${r.kind}.deleted`];
        expect(await eventTypes(id)).toEqual(changes);
        expect(await auditActions(id)).toEqual(changes);
      });

      it('is listed a page at a time with limit and cursor', async () => {
        const ids: unknown[] = [];
        for (let i = 0; i < 3; i++) ids.push((await create(r.path, r.body(unique(`paged ${r.kind}`)))).id);
        const seen: unknown[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res = await call('GET', `${r.path}?limit=2${cursor ? `&cursor=${cursor}` : ''}`, supervisor);
          expect(res.statusCode).toBe(200);
          const page: { items: Json[]; nextCursor: string | null } = res.json();
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor);
        expect(pages).toBeGreaterThanOrEqual(2);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
      });

      it('refuses a duplicate name with a 409 that names it, on create and on rename', async () => {
        const name = unique(`dup ${r.kind}`);
        await create(r.path, r.body(name));
        const again = await call('POST', r.path, owner, r.body(name));
        expect(again.statusCode).toBe(409);
        expect(again.json()).toMatchObject({
          code: 'CONFLICT',
          detail: `a ${r.kind} named "${name}" already exists`,
        });
        const second = await create(r.path, r.body(unique(`dup ${r.kind}`)));
        const rename = await call('PATCH', `${r.path}/${second.id}`, owner, { name });
        expect(rename.statusCode).toBe(409);
      });

      it('answers 404 for an unknown id on read, update and delete', async () => {
        const url = `${r.path}/${newId()}`;
        for (const [method, auth] of [
          ['GET', supervisor],
          ['PATCH', owner],
          ['DELETE', owner],
        ] as const) {
          const res = await call(method, url, auth, method === 'PATCH' ? r.patch : undefined);
          expect(res.statusCode).toBe(404);
          expect(res.json().code).toBe('NOT_FOUND');
        }
      });

      it('forbids an agent to create, change or delete (403)', async () => {
        const existing = await create(r.path, r.body(unique(r.kind)));
        const url = `${r.path}/${existing.id}`;
        expect((await call('POST', r.path, agent, r.body(unique(r.kind)))).statusCode).toBe(403);
        expect((await call('PATCH', url, agent, r.patch)).statusCode).toBe(403);
        expect((await call('DELETE', url, agent)).statusCode).toBe(403);
      });

      it('rejects an unknown body field with a 400 naming it', async () => {
        const res = await call('POST', r.path, owner, { ...r.body(unique(r.kind)), colour: 'red' });
        expect(res.statusCode).toBe(400);
        expect(res.json().detail).toContain('body.colour is not a known field');
        const existing = await create(r.path, r.body(unique(r.kind)));
        expect((await call('PATCH', `${r.path}/${existing.id}`, owner, { colour: 'red' })).statusCode).toBe(
          400,
        );
      });

      it('is invisible and untouchable from another tenant', async () => {
        const mine = await create(r.path, r.body(unique(`private ${r.kind}`)));
        const url = `${r.path}/${mine.id}`;
        expect((await call('GET', url, other.auth)).statusCode).toBe(404);
        expect((await call('PATCH', url, other.auth, r.patch)).statusCode).toBe(404);
        expect((await call('DELETE', url, other.auth)).statusCode).toBe(404);
        const list = (await call('GET', `${r.path}?limit=200`, other.auth)).json();
        expect(list.items.map((i: Json) => i.id)).not.toContain(mine.id);
        expect((await call('GET', url, supervisor)).json()).toMatchObject({ name: mine.name });
        // The same name is free in another tenant.
        expect((await call('POST', r.path, other.auth, r.body(String(mine.name)))).statusCode).toBe(201);
      });
    });

    it('team membership is replaced whole, and an unknown or foreign user id changes nothing', async () => {
      const team = await create('/api/v1/teams', { name: unique('support') });
      const url = `/api/v1/teams/${team.id}`;
      const set = await call('PUT', `${url}/members`, owner, { userIds: [agentId, supervisorId] });
      expect(set.statusCode, set.body).toBe(200);
      expect((await call('GET', url, supervisor)).json().memberIds).toEqual([agentId, supervisorId].sort());
      for (const stranger of [newId(), other.userId]) {
        const bad = await call('PUT', `${url}/members`, owner, { userIds: [agentId, stranger] });
        expect(bad.statusCode).toBe(404);
        expect(bad.json().detail).toBe(`user ${stranger} does not exist`);
      }
      expect((await call('GET', url, supervisor)).json().memberIds).toEqual([agentId, supervisorId].sort());
      expect((await call('PUT', `${url}/members`, owner, { userIds: [agentId] })).json().memberIds).toEqual([
        agentId,
      ]);
      expect((await call('GET', url, supervisor)).json().memberIds).toEqual([agentId]);
      expect((await call('PUT', `${url}/members`, supervisor, { userIds: [] })).statusCode).toBe(403);
      expect(await eventTypes(String(team.id))).toEqual([
        'team.created',
        'team.members_replaced',
        'team.members_replaced',
      ]);
      expect(await auditActions(String(team.id))).toContain('team.members_replaced');
      expect((await call('PUT', `${url}/members`, other.auth, { userIds: [] })).statusCode).toBe(404);
    });

    it("a supervisor sets an agent's skills; the agent reads only their own", async () => {
      const chat = await create('/api/v1/skills', { name: unique('chat') });
      const billing = await create('/api/v1/skills', { name: unique('billing') });
      const url = `/api/v1/users/${agentId}/skills`;
      const skills = [
        { skillId: chat.id, proficiency: 5 },
        { skillId: billing.id, proficiency: 2 },
      ];
      const set = await call('PUT', url, supervisor, { skills });
      expect(set.statusCode, set.body).toBe(200);
      const mine = await call('GET', url, agent);
      expect(mine.statusCode).toBe(200);
      expect(mine.json().skills).toHaveLength(2);
      expect(mine.json().skills).toContainEqual({ skillId: chat.id, name: chat.name, proficiency: 5 });
      expect((await call('GET', `/api/v1/users/${supervisorId}/skills`, agent)).statusCode).toBe(403);
      expect((await call('PUT', url, agent, { skills: [] })).statusCode).toBe(403);
      expect(await eventTypes(agentId)).toContain('agent.skills_replaced');
      expect(await auditActions(agentId)).toContain('agent.skills_replaced');

      const tooGood = await call('PUT', url, supervisor, { skills: [{ skillId: chat.id, proficiency: 6 }] });
      expect(tooGood.statusCode).toBe(400);
      const twice = await call('PUT', url, supervisor, { skills: [skills[0], skills[0]] });
      expect(twice.statusCode).toBe(400);
      const unknown = newId();
      const missing = await call('PUT', url, supervisor, { skills: [{ skillId: unknown, proficiency: 1 }] });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().detail).toBe(`skill ${unknown} does not exist`);
      expect((await call('GET', `/api/v1/users/${newId()}/skills`, supervisor)).statusCode).toBe(404);
      expect((await call('GET', url, other.auth)).statusCode).toBe(404);
      expect((await call('GET', url, agent)).json().skills).toHaveLength(2);

      // Deleting a skill takes it off the agent too.
      expect((await call('DELETE', `/api/v1/skills/${billing.id}`, owner)).statusCode).toBe(204);
      expect((await call('GET', url, agent)).json().skills).toEqual([
        { skillId: chat.id, name: chat.name, proficiency: 5 },
      ]);
    });

    it('a queue keeps its service level and required skills; agents may list queues', async () => {
      const chat = await create('/api/v1/skills', { name: unique('chat') });
      const vip = await create('/api/v1/skills', { name: unique('vip') });
      const plain = await create('/api/v1/queues', { name: unique('plain') });
      expect(plain).toMatchObject({
        priority: 0,
        serviceLevelSeconds: 20,
        serviceLevelTarget: 0.8,
        skills: [],
      });
      const queue = await create('/api/v1/queues', {
        name: unique('vip line'),
        description: 'high-value customers',
        priority: 10,
        serviceLevelSeconds: 15,
        serviceLevelTarget: 0.95,
        skills: [{ skillId: chat.id, minProficiency: 3 }, { skillId: vip.id }],
      });
      expect(queue).toMatchObject({ priority: 10, serviceLevelSeconds: 15, serviceLevelTarget: 0.95 });
      expect(queue.skills).toHaveLength(2);
      expect(queue.skills).toContainEqual({ skillId: vip.id, minProficiency: 1 });
      const url = `/api/v1/queues/${queue.id}`;
      const patched = await call('PATCH', url, owner, { skills: [{ skillId: vip.id, minProficiency: 4 }] });
      expect(patched.json().skills).toEqual([{ skillId: vip.id, minProficiency: 4 }]);
      for (const serviceLevelTarget of [0, 1.5, -0.1]) {
        expect((await call('PATCH', url, owner, { serviceLevelTarget })).statusCode).toBe(400);
      }
      expect((await call('PATCH', url, owner, { serviceLevelTarget: 1 })).json().serviceLevelTarget).toBe(1);
      const dup = await call('PATCH', url, owner, { skills: [{ skillId: vip.id }, { skillId: vip.id }] });
      expect(dup.statusCode).toBe(400);

      const listed = await call('GET', '/api/v1/queues?limit=200', agent);
      expect(listed.statusCode).toBe(200);
      expect(listed.json().items.map((q: Json) => q.id)).toContain(queue.id);
      expect((await call('GET', url, agent)).statusCode).toBe(403);
    });

    it("another tenant cannot put the first tenant's skills on its own queue", async () => {
      const skill = await create('/api/v1/skills', { name: unique('secret sauce') });
      const theirs = await call('POST', '/api/v1/queues', other.auth, {
        name: unique('borrowed'),
        skills: [{ skillId: skill.id, minProficiency: 2 }],
      });
      expect(theirs.statusCode).toBe(404);
      expect(theirs.json().detail).toBe(`skill ${skill.id} does not exist`);
      const own = await create('/api/v1/queues', { name: unique('their own') }, other.auth);
      const patch = await call('PATCH', `/api/v1/queues/${own.id}`, other.auth, {
        skills: [{ skillId: skill.id }],
      });
      expect(patch.statusCode).toBe(404);
      const agentSkills = await call('PUT', `/api/v1/users/${other.userId}/skills`, other.auth, {
        skills: [{ skillId: skill.id, proficiency: 3 }],
      });
      expect(agentSkills.statusCode).toBe(404);
    });

    it('a queue or channel that conversations refer to cannot be deleted (409)', async () => {
      const queue = await create('/api/v1/queues', { name: unique('busy queue') });
      const channel = await create('/api/v1/channels', {
        type: 'voice',
        name: unique('busy line'),
        config: {},
      });
      await addConversation(queue.id, channel.id);
      const q = await call('DELETE', `/api/v1/queues/${queue.id}`, owner);
      expect(q.statusCode).toBe(409);
      expect(q.json().detail).toMatch(/referenced by conversations/);
      const c = await call('DELETE', `/api/v1/channels/${channel.id}`, owner);
      expect(c.statusCode).toBe(409);
      expect(c.json().detail).toMatch(/disable it instead/);
      expect((await call('GET', `/api/v1/queues/${queue.id}`, supervisor)).statusCode).toBe(200);
      expect(await eventTypes(String(queue.id))).toEqual(['queue.created']);
    });

    it('a channel shows its webhook URL and never shows a secret, and echoing the mask keeps it', async () => {
      const config = {
        appId: 'wx123',
        appSecret: 's3cr3t-value',
        Token: 'tok-value',
        nested: { apiKey: 'k-value', region: 'cn' },
      };
      // 'voice' has no adapter yet: its config is free-form, and secrets are recognised by name.
      const channel = await create('/api/v1/channels', { type: 'voice', name: unique('pbx'), config });
      expect(channel.webhookUrl).toBe(`/webhooks/voice/${channel.id}`);
      expect(channel).toMatchObject({ type: 'voice', enabled: true });
      const masked = {
        appId: 'wx123',
        appSecret: '••••',
        Token: '••••',
        nested: { apiKey: '••••', region: 'cn' },
      };
      expect(channel.config).toEqual(masked);
      const url = `/api/v1/channels/${channel.id}`;
      expect((await call('GET', url, supervisor)).json().config).toEqual(masked);

      const echoed = await call('PATCH', url, owner, { config: { ...masked, appId: 'wx456' } });
      expect(echoed.statusCode).toBe(200);
      const row = () =>
        db()
          .selectFrom('channels')
          .select(['config', 'secrets'])
          .where('id', '=', String(channel.id))
          .executeTakeFirstOrThrow();
      // At rest the secrets are sealed: no secret value appears in the row in clear.
      const raw = JSON.stringify(await row());
      for (const secret of ['s3cr3t-value', 'tok-value', 'k-value']) expect(raw).not.toContain(secret);
      const stored = async () => ({ config: openConfig(t.sb.ctx.cipher, await row()) });
      expect((await stored()).config).toEqual({ ...config, appId: 'wx456' });
      await call('PATCH', url, owner, { config: { ...masked, appSecret: 'rotated' } });
      expect((await stored()).config).toMatchObject({ appSecret: 'rotated', Token: 'tok-value' });

      const trail = JSON.stringify([
        await db()
          .selectFrom('events')
          .select('payload')
          .where('aggregate_id', '=', String(channel.id))
          .execute(),
        await db()
          .selectFrom('audit_log')
          .select('detail')
          .where('target_id', '=', String(channel.id))
          .execute(),
      ]);
      for (const secret of ['s3cr3t', 'tok-value', 'k-value', 'rotated']) expect(trail).not.toContain(secret);

      const sms = await call('GET', '/api/v1/channels?type=wechat&limit=200', supervisor);
      expect(sms.json().items.every((c: Json) => c.type === 'wechat')).toBe(true);
      expect(
        (await call('POST', '/api/v1/channels', owner, { type: 'pigeon', name: 'x', config: {} })).statusCode,
      ).toBe(400);
      const big = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
      expect(
        (await call('POST', '/api/v1/channels', owner, { type: 'voice', name: 'big', config: big }))
          .statusCode,
      ).toBe(400);
    });
  });
}
