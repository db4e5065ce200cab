import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/core/index.js';
import { mergeCustomers, suggestMerge } from '../src/identity/index.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';

const pgUp = await serviceAvailable('postgres');

interface Json {
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
  [k: string]: any;
}

const PHONE = '+8613800138000';
const EMAIL = 'zhang.wei@example.com';
const OPENID = 'oAbc1234567890abcdefghijkxyz';

/** Issue #6: "the customer's identities (masked where the role requires)". */
for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`customer identities by role on ${kind}`, () => {
    let t: TestApp;
    let owner: string;
    let agent: string;
    let supervisor: string;
    let customerId: string;
    let tenantId: string;

    const call = async (auth: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
      const res = await t.inject({
        method,
        url,
        headers: { authorization: auth },
        ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
      });
      return { status: res.statusCode, body: (res.body ? res.json() : {}) as Json, raw: res.body };
    };
    const valuesOf = (c: Json) =>
      Object.fromEntries((c.identities as Json[]).map((i) => [i.kind, i.value])) as Record<string, string>;

    beforeAll(async () => {
      t = await startTestApp(kind);
      owner = await t.login(OWNER.email, OWNER.password);
      for (const [email, role] of [
        ['agent@acme.test', 'agent'],
        ['sup@acme.test', 'supervisor'],
      ] as const) {
        const res = await call(owner, 'POST', '/api/v1/users', { email, password: 'a good password', role });
        expect(res.status).toBe(201);
        tenantId = res.body.tenantId;
      }
      agent = await t.login('agent@acme.test', 'a good password');
      supervisor = await t.login('sup@acme.test', 'a good password');
      const created = await call(owner, 'POST', '/api/v1/customers', {
        displayName: '张伟',
        identities: [
          { kind: 'phone', value: PHONE },
          { kind: 'email', value: EMAIL },
          { kind: 'wechat_openid', value: OPENID },
        ],
      });
      expect(created.status, created.raw).toBe(201);
      customerId = created.body.id;
    });
    afterAll(() => t.close());

    it('shows an agent masked identities in a customer, the list and a search by the full value', async () => {
      const masked = { phone: '+86 138****8000', email: 'z***@example.com', wechat_openid: 'oAbc…xyz' };
      const one = await call(agent, 'GET', `/api/v1/customers/${customerId}`);
      expect(valuesOf(one.body)).toEqual(masked);
      const found = await call(agent, 'GET', `/api/v1/customers?q=${encodeURIComponent(PHONE)}`);
      expect(found.body.items.map((c: Json) => c.id)).toEqual([customerId]);
      expect(valuesOf(found.body.items[0])).toEqual(masked);
      for (const res of [one, found]) {
        expect(res.raw).not.toContain('13800138000');
        expect(res.raw).not.toContain(EMAIL);
        expect(res.raw).not.toContain(OPENID);
      }
      const patched = await call(agent, 'PATCH', `/api/v1/customers/${customerId}`, { tier: 2 });
      expect(valuesOf(patched.body)).toEqual(masked);
      const added = await call(agent, 'POST', `/api/v1/customers/${customerId}/identities`, {
        kind: 'telegram',
        value: '5123456789',
      });
      expect(added.status).toBe(201);
      expect(added.body.value).toBe('51…89');
    });

    it('shows supervisors and above the values as stored', async () => {
      for (const auth of [supervisor, owner]) {
        const one = await call(auth, 'GET', `/api/v1/customers/${customerId}`);
        expect(valuesOf(one.body)).toMatchObject({ phone: PHONE, email: EMAIL, wechat_openid: OPENID });
      }
    });

    it('masks the identifiers merge evidence names, in its note too, for agents only', async () => {
      const deps = { db: t.sb.ctx.storage.db, outbox: t.sb.ctx.outbox };
      const other = await call(owner, 'POST', '/api/v1/customers', { displayName: '张伟' });
      await mergeCustomers(deps, systemActor(tenantId), {
        survivorId: customerId,
        mergedId: other.body.id,
        confidence: 0.97,
        evidence: {
          source: 'deterministic',
          identifiers: [{ kind: 'phone', value: PHONE }],
          note: `the customer wrote the phone ${PHONE} in a message`,
        },
      });
      const asAgent = await call(agent, 'GET', `/api/v1/customers/${customerId}/identity`);
      expect(asAgent.status).toBe(200);
      expect(asAgent.body.merges[0].evidence).toMatchObject({
        identifiers: [{ kind: 'phone', value: '+86 138****8000' }],
        note: 'the customer wrote the phone +86 138****8000 in a message',
      });
      expect(asAgent.raw).not.toContain('13800138000');
      const asSupervisor = await call(supervisor, 'GET', `/api/v1/customers/${customerId}/identity`);
      expect(asSupervisor.body.merges[0].evidence.identifiers[0].value).toBe(PHONE);
      expect(valuesOf(asSupervisor.body.customer).phone).toBe(PHONE);

      const third = await call(owner, 'POST', '/api/v1/customers', { displayName: '李娜' });
      await suggestMerge(deps, systemActor(tenantId), {
        customerIds: [customerId, third.body.id],
        confidence: 0.5,
        evidence: { source: 'deterministic', identifiers: [{ kind: 'email', value: EMAIL }] },
      });
      const queue = await call(supervisor, 'GET', '/api/v1/merge-suggestions');
      expect(queue.body.items[0].evidence.identifiers[0].value).toBe(EMAIL);
    });

    it('lets an admin turn masking off for the tenant, and shows the setting with its default', async () => {
      expect((await call(agent, 'GET', '/api/v1/tenant')).body.settings.maskPiiForAgents).toBe(true);
      expect(
        (await call(supervisor, 'PATCH', '/api/v1/tenant', { settings: { maskPiiForAgents: false } })).status,
      ).toBe(403);
      const off = await call(owner, 'PATCH', '/api/v1/tenant', { settings: { maskPiiForAgents: false } });
      expect(off.status, off.raw).toBe(200);
      expect(off.body.settings.maskPiiForAgents).toBe(false);
      expect(valuesOf((await call(agent, 'GET', `/api/v1/customers/${customerId}`)).body).phone).toBe(PHONE);
      const audit = await t.sb.ctx.storage.db
        .selectFrom('audit_log')
        .select('detail')
        .where('action', '=', 'tenant.updated')
        .executeTakeFirstOrThrow();
      expect(audit.detail).toEqual({ settings: { maskPiiForAgents: false } });

      const on = await call(owner, 'PATCH', '/api/v1/tenant', {
        name: 'ACME 中国',
        settings: { maskPiiForAgents: true },
      });
      expect(on.body).toMatchObject({ name: 'ACME 中国', settings: { maskPiiForAgents: true } });
      expect(valuesOf((await call(agent, 'GET', `/api/v1/customers/${customerId}`)).body).phone).toBe(
        '+86 138****8000',
      );
      expect((await call(owner, 'PATCH', '/api/v1/tenant', { settings: { other: 1 } })).status).toBe(400);
    });
  });
}
