import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/core/index.js';
import {
  identityIdle,
  type MergeEvidence,
  matchCustomer,
  recordTypingRhythm,
} from '../src/identity/index.js';
import type { Evidence } from '../src/identity/match/index.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { waitFor } from './support/wait.js';

/**
 * Issue #4: probabilistic resolution runs inline on inbound messages with the tenant's thresholds
 * (merge above the upper one, suggest between, nothing below), CRM imports go through the same
 * engine, and the tenant's model is trained on its own customers.
 */
describe('inline identity resolution', () => {
  let t: TestApp;
  let auth: string;
  let tenantId: string;

  const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
    const res = await t.inject({
      method,
      url,
      headers: { authorization: auth },
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
    const body = res.body ? res.json() : {};
    return { status: res.statusCode, body };
  };
  const importOne = async (record: Record<string, unknown>) => {
    const res = await api('POST', '/api/v1/customers/import', { records: [record] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.results[0].customerId as string;
  };
  let n = 0;
  const inbound = async (
    identity: { kind: string; value: string },
    displayName?: string,
    alsoKnownAs?: unknown[],
  ) => {
    const res = await api('POST', '/api/v1/messages/inbound', {
      channelType: identity.kind === 'email' ? 'email' : 'telegram',
      identity,
      ...(displayName && { displayName }),
      ...(alsoKnownAs && { alsoKnownAs }),
      text: 'hello',
      idempotencyKey: `inline-${++n}`,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.conversation.customerId as string;
  };
  /** The matcher decides after the inbound call returns (in the identity worker) and writes its decision just after: idle waits for both. */
  const settled = () => identityIdle(t.sb.ctx.storage.db);
  const suggestionsFor = async (customerId: string) => {
    const res = await api('GET', '/api/v1/merge-suggestions?limit=200');
    return (
      res.body.items as {
        id: string;
        customerIds: string[];
        confidence: number;
        evidence: MergeEvidence & { fields: Evidence[] };
      }[]
    ).filter((s) => s.customerIds.includes(customerId));
  };
  const live = async (id: string) => (await api('GET', `/api/v1/customers/${id}`)).body;

  beforeAll(async () => {
    t = await startTestApp('pglite');
    auth = await t.login(OWNER.email, OWNER.password);
    tenantId = (await api('GET', '/api/v1/tenant')).body.id;
  });
  afterAll(() => t.close());

  it('does nothing for a common name alone (below the lower threshold)', async () => {
    const crm = await importOne({ id: 'zw-1', name: '张伟', phone: '13800001111', city: '北京' });
    const tg = await inbound({ kind: 'telegram', value: '5550001' }, 'Zhang Wei');
    expect(tg).not.toBe(crm);
    await settled();
    expect(await suggestionsFor(tg)).toEqual([]);
    expect((await live(tg)).mergedInto).toBeNull();
  });

  it('puts a likely match between the thresholds in the review queue, with the fields as evidence', async () => {
    const crm = await importOne({ id: 'wf-1', name: '王芳', email: 'sunnyfang@corp.example', city: '上海' });
    const mail = await inbound({ kind: 'email', value: 'sunnyfang@gmail.com' }, 'Wang Fang');
    expect(mail).not.toBe(crm);
    const [s] = await waitFor(async () => {
      const found = await suggestionsFor(mail);
      return found.length > 0 ? found : undefined;
    });
    expect(s?.customerIds.sort()).toEqual([crm, mail].sort());
    const settings = (await api('GET', '/api/v1/identity/settings')).body.settings;
    expect(s!.confidence).toBeGreaterThanOrEqual(settings.lower);
    expect(s!.confidence).toBeLessThan(settings.upper);
    expect(s!.evidence.source).toBe('probabilistic');
    const fields = Object.fromEntries(s!.evidence.fields.map((f: Evidence) => [f.field, f.level]));
    expect(fields).toMatchObject({ name: 'tokens', email: 'local' });
  });

  it("merges above the tenant's upper threshold, explains it, and never redoes an undone merge", async () => {
    // This tenant trusts the engine more: a lower upper threshold, stored per tenant.
    const put = await api('PUT', '/api/v1/identity/settings', { upper: 0.85, lower: 0.5 });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const crm = await importOne({
      id: 'ln-1',
      name: '李娜',
      email: 'moonlight.na@corp.example',
      city: '杭州',
    });
    const mail = await inbound({ kind: 'email', value: 'moonlight.na@qq.example' }, 'Li Na');
    expect(await waitFor(async () => (await live(mail)).mergedInto)).toBe(crm);
    const explained = (await api('GET', `/api/v1/customers/${crm}/identity`)).body;
    const merge = explained.merges.find((m: { mergedId: string }) => m.mergedId === mail);
    expect(merge.evidence.source).toBe('probabilistic');
    expect(merge.evidence.fields.map((f: Evidence) => f.field)).toEqual(
      expect.arrayContaining(['name', 'email']),
    );
    expect(merge.confidence).toBeGreaterThanOrEqual(0.85);
    // The timeline shows the merge beside the messages: the e-mail is now in the CRM customer's history.
    const timeline = (await api('GET', `/api/v1/customers/${crm}/timeline`)).body.items as {
      kind: string;
      source?: string;
      otherCustomerId?: string;
      channelType?: string;
    }[];
    expect(timeline[0]).toMatchObject({ kind: 'merge', source: 'probabilistic', otherCustomerId: mail });
    expect(timeline.some((e) => e.kind === 'message' && e.channelType === 'email')).toBe(true);

    // A supervisor undoes it: the two are apart for good, even when the customer writes again with a new identity.
    expect((await api('POST', `/api/v1/customer-merges/${merge.id}/undo`, {})).status).toBeLessThan(300);
    await inbound({ kind: 'email', value: 'moonlight.na@qq.example' }, 'Li Na', [
      { kind: 'telegram', value: '777001' },
    ]);
    await settled();
    expect((await live(mail)).mergedInto).toBeNull();
    expect(await suggestionsFor(mail)).toEqual([]);
    const after = (await api('GET', `/api/v1/customers/${mail}/timeline`)).body.items as { kind: string }[];
    expect(after.find((e) => e.kind === 'merge')).toMatchObject({ role: 'merged', status: 'undone' });
    await api('PUT', '/api/v1/identity/settings', {});
  });

  it('does not ask again about a pair a supervisor rejected', async () => {
    const crm = await importOne({ id: 'cj-1', name: '陈静', email: 'jingjing.c@corp.example' });
    const mail = await inbound({ kind: 'email', value: 'jingjing.c@163.example' }, 'Chen Jing');
    await settled();
    const [s] = await suggestionsFor(mail);
    expect(s).toBeDefined();
    expect((await api('POST', `/api/v1/merge-suggestions/${s!.id}/reject`, {})).status).toBeLessThan(300);
    await inbound({ kind: 'email', value: 'jingjing.c@163.example' }, 'Chen Jing', [
      { kind: 'telegram', value: '777002' },
    ]);
    await settled();
    const pending = (await suggestionsFor(mail)).filter((x) => x.customerIds.includes(crm));
    expect(pending).toEqual([]);
  });

  it('weighs typing rhythm beside other evidence but never merges on rhythm alone', async () => {
    const deps = { db: t.sb.ctx.storage.db, outbox: t.sb.ctx.outbox };
    const actor = systemActor(tenantId);
    const typing = {
      flights: Array.from({ length: 300 }, (_, k) => 90 + ((k * 37) % 140)),
      dwells: [] as number[],
    };
    // Two nameless visitors typing identically: nothing else agrees, so nothing happens.
    const v1 = await inbound({ kind: 'telegram', value: '880001' });
    const v2 = await inbound({ kind: 'telegram', value: '880002' });
    for (const id of [v1, v2]) await recordTypingRhythm(deps.db, tenantId, id, typing);
    expect((await matchCustomer(deps, actor, v2, undefined, { wait: true })).candidates).toBe(0);
    expect(await suggestionsFor(v2)).toEqual([]);
    // With a name and mailbox in common, the same rhythm is part of the evidence.
    const crm = await importOne({ id: 'zl-1', name: '赵磊', email: 'bluesky_zl@corp.example' });
    await recordTypingRhythm(deps.db, tenantId, crm, typing);
    const mail = await inbound({ kind: 'email', value: 'bluesky_zl@outlook.example' }, 'Zhao Lei');
    await settled();
    expect(await suggestionsFor(mail)).toHaveLength(1);
    await recordTypingRhythm(deps.db, tenantId, mail, typing);
    // Name and mailbox alone are a suggestion (the test above); the same rhythm tips the pair over `upper`.
    // Decided at once, written just after: `settled` says when.
    const outcome = await matchCustomer(deps, actor, mail);
    expect(outcome.merged?.survivorId).toBe(crm);
    await outcome.settled;
    const merge = (await api('GET', `/api/v1/customers/${crm}/identity`)).body.merges[0];
    expect(merge.evidence.fields).toContainEqual(
      expect.objectContaining({ field: 'typingRhythm', level: 'similar' }),
    );
    expect(merge.evidence.fields).toContainEqual(expect.objectContaining({ field: 'email', level: 'local' }));
  });
});

describe('CRM import and model training', () => {
  let t: TestApp;
  let auth: string;
  const post = async (url: string, payload: unknown) => {
    const res = await t.inject({
      method: 'POST',
      url,
      headers: { authorization: auth },
      payload: payload as Record<string, unknown>,
    });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    t = await startTestApp('pglite');
    auth = await t.login(OWNER.email, OWNER.password);
  });
  afterAll(() => t.close());

  it('imports records through the engine: duplicates in the file become one customer, bad lines are reported', async () => {
    const records = [
      { id: 'a1', name: '刘洋', phone: '+86 138 0013 8000', city: '广州' },
      { id: 'a2', name: 'Liu Yang', phone: '0086-13800138000', email: 'liuyang@example.com' },
      { id: 'b1', name: '黄敏', wechatUnionId: 'o6_bmasdasdsad6_2sgVt7hMZOPfL' },
      { name: 'no id' },
      { id: 'c1', phone: 12345 },
      'not an object',
    ];
    const res = await post('/api/v1/customers/import', { records });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.skipped.map((s: { index: number }) => s.index)).toEqual([3, 5]);
    expect(res.body.skipped[0].message).toMatch(/id/);
    const by = Object.fromEntries(
      res.body.results.map((r: { id: string; customerId: string }) => [r.id, r.customerId]),
    );
    expect(by.a1).toBe(by.a2);
    expect(by.b1).not.toBe(by.a1);
    expect(res.body.created).toBe(3);
    const customer = (
      await t.inject({ method: 'GET', url: `/api/v1/customers/${by.a1}`, headers: { authorization: auth } })
    ).json();
    expect(customer.identities.map((i: { value: string }) => i.value).sort()).toEqual([
      '+8613800138000',
      'liuyang@example.com',
    ]);
    expect(customer.attributes).toMatchObject({ city: '广州' });

    // The same file again creates nobody: every record finds its customer by identity.
    const again = await post('/api/v1/customers/import', { records });
    expect(again.body.created).toBe(0);
    expect(again.body.results).toEqual(res.body.results);
  });

  it('refuses to train on too few customers, then trains on enough and uses the model', async () => {
    const few = await post('/api/v1/identity/model/train', {});
    expect(few.status).toBe(409);
    expect(few.body.detail).toMatch(/at least 100 customers/);
    const surnames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
    const given = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '涛'];
    const records = Array.from({ length: 240 }, (_, k) => ({
      id: `g${k}`,
      name: surnames[k % 10]! + given[(k * 7) % 12]! + (k % 3 === 0 ? given[k % 12]! : ''),
      phone: `+86139${String(10_000_000 + k * 7919).slice(0, 8)}`,
      ...(k % 2 === 0 && { city: ['上海', '北京', '深圳'][k % 3] }),
      ...(k % 4 === 0 && { email: `user${k}@example.com` }),
    }));
    expect((await post('/api/v1/customers/import', { records })).status).toBe(200);
    const trained = await post('/api/v1/identity/model/train', {});
    expect(trained.status, JSON.stringify(trained.body)).toBe(200);
    expect(trained.body.records).toBeGreaterThanOrEqual(240);
    expect(trained.body.keys).toBeGreaterThan(240);
    expect(trained.body.lambda).toBeLessThanOrEqual(0.01);
    const settings = (
      await t.inject({ method: 'GET', url: '/api/v1/identity/settings', headers: { authorization: auth } })
    ).json();
    expect(settings.model.trained.records).toBe(trained.body.records);
  });
});

describe("the tenant's phone region", () => {
  let t: TestApp;
  let auth: string;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    auth = await t.login(OWNER.email, OWNER.password);
  });
  afterAll(() => t.close());

  it('reads national numbers in the region the tenant set, on every way in', async () => {
    const call = (method: 'PUT' | 'POST', url: string, payload: Record<string, unknown>) =>
      t.inject({ method, url, headers: { authorization: auth }, payload });
    expect((await call('PUT', '/api/v1/identity/settings', { defaultRegion: 'US' })).statusCode).toBe(200);
    const sms = await call('POST', '/api/v1/messages/inbound', {
      channelType: 'sms',
      identity: { kind: 'phone', value: '(415) 555-2671' },
      text: 'hi',
      idempotencyKey: 'us-1',
    });
    const customerId = sms.json().conversation.customerId;
    const created = await call('POST', '/api/v1/customers', {
      displayName: 'Jane Roe',
      identities: [{ kind: 'phone', value: '212-555-0100' }],
    });
    const imported = await call('POST', '/api/v1/customers/import', {
      records: [{ id: 'x', name: 'John Doe', phone: '415.555.2671' }],
    });
    expect(imported.json().results[0].customerId).toBe(customerId);
    const phones = await t.sb.ctx.storage.db
      .selectFrom('identities')
      .select('value')
      .where('kind', '=', 'phone')
      .execute();
    expect(phones.map((p) => p.value).sort()).toEqual(['+12125550100', '+14155552671']);
    expect(created.statusCode).toBe(201);
  });
});
