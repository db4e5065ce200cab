import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import fc from 'fast-check';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSwitchboard, type Switchboard } from '../src/app.js';
import { createMemoryBus } from '../src/bus/index.js';
import { loadConfig } from '../src/config.js';
import { receiveInbound } from '../src/conversations/index.js';
import { newId, systemActor } from '../src/core/index.js';
import {
  addIdentity,
  createCustomer,
  importCustomers,
  listSuggestions,
  matchCustomer,
  mergeCustomers,
  rejectSuggestion,
  removeIdentity,
  unmergeCustomers,
  updateCustomer,
  updateMatchSettings,
} from '../src/identity/index.js';
import { identityIdle, identityIndexSnapshot, recoverIdentityIndex } from '../src/identity/live.js';
import { BlockingIndex, toEntry } from '../src/identity/live-index.js';
import { DEFAULT_SETTINGS } from '../src/identity/match/index.js';
import type { Db, StoreDeps } from '../src/storage/index.js';
import { freshSchema, OWNER, startTestApp, TEST_MASTER_KEY, type TestApp } from './support/app.js';
import { SERVICES, serviceAvailable } from './support/services.js';
import { waitFor } from './support/wait.js';

/**
 * Issue #4, acceptance 4: the inline matcher decides from a per-tenant blocking index in memory.
 * It must find what the SQL index finds, follow every write that changes a customer's keys, keep
 * tenants apart, survive a restart, and match again a customer whose decision was never written.
 */

const depsOf = (sb: Switchboard): StoreDeps => ({ db: sb.ctx.storage.db, outbox: sb.ctx.outbox });
const tenantOf = async (db: Db) => (await db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id;
const keyRows = async (db: Db, customerId: string) =>
  (await db.selectFrom('identity_match_keys').select('key').where('customer_id', '=', customerId).execute())
    .length;
const pendingPairs = async (deps: StoreDeps, tenantId: string) =>
  (await listSuggestions(deps, systemActor(tenantId), { limit: 200 })).items.map((s) =>
    [...s.customerIds].sort().join('|'),
  );
const pair = (a: string, b: string) => [a, b].sort().join('|');

describe('the in-memory blocking index', () => {
  let t: TestApp;
  let deps: StoreDeps;
  let tenantId: string;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    deps = depsOf(t.sb);
    tenantId = await tenantOf(deps.db);
  });
  afterAll(() => t.close());
  // A copy of the index as the identity worker has it now.
  const index = () => identityIndexSnapshot(deps, tenantId);
  // A customer from the CRM, then an e-mail from a near address signed with the name in Latin letters.
  const crmThenMail = async (
    record: { id: string; name: string; email: string; city?: string },
    mail: { from: string; name: string; key: string },
  ) => {
    const actor = systemActor(tenantId);
    const crm = (await importCustomers(deps, actor, [record])).results[0]!.customerId;
    const received = await receiveInbound(deps, actor, {
      channelType: 'email',
      identity: { kind: 'email', value: mail.from },
      displayName: mail.name,
      text: 'hello',
      idempotencyKey: mail.key,
    });
    return { crm, received, mail: received.conversation.customerId };
  };

  it('finds exactly the candidates and block sizes the SQL over identity_match_keys finds (property)', async () => {
    // Small limits, so blocks above the cut-off and the candidate limit both happen.
    const limits = { maxBlock: 3, maxCandidates: 4 };
    const names = ['张伟', 'Zhang Wei', '王芳', 'Wang Fang', '李娜', '', 'Wei Zhang'];
    const cities = [undefined, '北京', '上海'];
    const births = [undefined, '1990-01-02', '1985-07-30'];
    const customer = fc.record({
      name: fc.constantFrom(...names),
      city: fc.constantFrom(...cities),
      birth: fc.constantFrom(...births),
      phone: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      email: fc.option(fc.constantFrom('zw', 'wf', 'ln'), { nil: undefined }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(customer, { minLength: 1, maxLength: 14 }), async (people) => {
        run++;
        const db = deps.db;
        await db.deleteFrom('identity_match_keys').where('tenant_id', '=', tenantId).execute();
        const idx = new BlockingIndex(limits);
        const entries = people.map((p, k) => {
          const identities = [
            ...(p.phone !== undefined ? [{ kind: 'phone', value: `+86138001380${p.phone}${k % 2}` }] : []),
            ...(p.email ? [{ kind: 'email', value: `${p.email}@r${run}-${k}.example` }] : []),
          ];
          return toEntry(
            {
              id: newId(),
              displayName: p.name,
              attributes: { ...(p.city && { city: p.city }), ...(p.birth && { birthDate: p.birth }) },
              identities,
              createdAt: new Date().toISOString(),
            },
            DEFAULT_SETTINGS,
          );
        });
        await db
          .insertInto('customers')
          .values(
            entries.map((e) => ({
              id: e.id,
              tenant_id: tenantId,
              display_name: e.displayName,
              tier: 0,
              attributes: '{}',
            })),
          )
          .execute();
        const rows = entries.flatMap((e) =>
          e.keys.map((key) => ({ tenant_id: tenantId, key, customer_id: e.id })),
        );
        if (rows.length) await db.insertInto('identity_match_keys').values(rows).execute();
        for (const e of entries) idx.put(e);
        for (const e of entries) {
          const mine = idx.search(e.id, e.keys);
          const { rows: ref } = await sql<{ sizes: unknown; candidates: unknown }>`
            WITH sizes AS (
              SELECT key, count(*)::int AS n FROM identity_match_keys
              WHERE tenant_id = ${tenantId} AND key = ANY(${e.keys}::text[]) AND customer_id <> ${e.id}
              GROUP BY key
            ), shared AS (
              SELECT k.customer_id, count(*) AS shared FROM sizes s
              JOIN identity_match_keys k ON k.tenant_id = ${tenantId} AND k.key = s.key
              WHERE s.n <= ${limits.maxBlock} AND k.customer_id <> ${e.id}
              GROUP BY k.customer_id
              ORDER BY shared DESC, k.customer_id
              LIMIT ${limits.maxCandidates}
            )
            SELECT (SELECT json_object_agg(key, n) FROM sizes) AS sizes,
                   (SELECT json_agg(customer_id ORDER BY shared DESC, customer_id) FROM shared) AS candidates`.execute(
            db,
          );
          const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
          expect(Object.fromEntries(mine.sizes)).toEqual(parse(ref[0]?.sizes) ?? {});
          expect(mine.candidates).toEqual(parse(ref[0]?.candidates) ?? []);
        }
        await db.deleteFrom('identity_match_keys').where('tenant_id', '=', tenantId).execute();
        await db
          .deleteFrom('customers')
          .where(
            'id',
            'in',
            entries.map((e) => e.id),
          )
          .execute();
      }),
      { numRuns: 40 },
    );
  });

  it('follows new identities, name changes, merges, unmerges and rejections made in this process', async () => {
    const actor = systemActor(tenantId);
    await index();
    const a = await createCustomer(deps, actor, {
      displayName: '刘洋',
      identities: [{ kind: 'phone', value: '+8613800138000' }],
    });
    const b = await createCustomer(deps, actor, {
      displayName: 'Liu Yang',
      identities: [{ kind: 'email', value: 'liuyang@example.com' }],
    });
    let idx = await index();
    // A customer created by a person is a candidate at once (it is not itself matched).
    expect(idx.search(a.id, idx.get(a.id)!.keys).candidates).toContain(b.id);

    await addIdentity(deps, actor, b.id, { kind: 'phone', value: '+8613900139000' });
    idx = await index();
    expect(idx.get(b.id)!.prepared.tels).toContain('+8613900139000');
    const phone = (
      await t.sb.ctx.storage.db
        .selectFrom('identities')
        .select('id')
        .where('value', '=', '+8613900139000')
        .executeTakeFirstOrThrow()
    ).id;

    const merge = await mergeCustomers(deps, actor, {
      survivorId: a.id,
      mergedId: b.id,
      confidence: 0.99,
      evidence: { source: 'manual' },
    });
    idx = await index();
    expect(idx.get(b.id)).toBeUndefined();
    expect(idx.get(a.id)!.identities.map((i) => i.value)).toEqual(
      expect.arrayContaining(['+8613800138000', 'liuyang@example.com', '+8613900139000']),
    );

    await unmergeCustomers(deps, actor, merge.id);
    idx = await index();
    expect(
      idx
        .get(b.id)!
        .identities.map((i) => i.value)
        .sort(),
    ).toEqual(['+8613900139000', 'liuyang@example.com']);
    expect(idx.get(a.id)!.identities.map((i) => i.value)).toEqual(['+8613800138000']);
    expect(idx.apart(a.id, b.id)).toBe(true);
    // The pair a person separated is never proposed again, though they still share a name.
    const again = await matchCustomer(deps, actor, b.id, undefined, { wait: true });
    expect(again.candidates).toBeGreaterThan(0);
    expect(again.merged).toBeUndefined();
    expect(again.suggested.map((s) => s.customerId)).not.toContain(a.id);

    await removeIdentity(deps, actor, b.id, phone);
    idx = await index();
    expect(idx.get(b.id)!.prepared.tels).toEqual([]);
    await updateCustomer(deps, actor, b.id, { displayName: '王芳' });
    idx = await index();
    expect(idx.get(b.id)!.prepared.name?.tokens).toEqual(['fang', 'wang']);
    expect(idx.search(a.id, idx.get(a.id)!.keys).candidates).not.toContain(b.id);
    // The durable index follows too (written behind, a few milliseconds later).
    await waitFor(async () => (await keyRows(deps.db, b.id)) === idx.get(b.id)!.keys.length);

    // A rejected suggestion separates the pair as well.
    const { crm, received, mail } = await crmThenMail(
      { id: 'cj-1', name: '陈静', email: 'jingjing.c@corp.example' },
      { from: 'jingjing.c@163.example', name: 'Chen Jing', key: 'live-reject-1' },
    );
    const outcome = await matchCustomer(deps, actor, mail, received.customer, { wait: true });
    expect(outcome.suggested.map((s) => s.customerId)).toEqual([crm]);
    const suggestion = (await listSuggestions(deps, actor, { limit: 200 })).items.find((s) =>
      s.customerIds.includes(mail),
    )!;
    await rejectSuggestion(deps, actor, suggestion.id);
    expect((await index()).apart(crm, mail)).toBe(true);
    const after = await matchCustomer(deps, actor, mail, undefined, { wait: true });
    expect(after.suggested).toEqual([]);
    expect(await pendingPairs(deps, tenantId)).not.toContain(pair(crm, mail));
  });

  it('runs no statement on the ingestion path: the customer handed over, the index loaded', async () => {
    const actor = systemActor(tenantId);
    await index();
    const received = await receiveInbound(deps, actor, {
      channelType: 'email',
      identity: { kind: 'email', value: 'zhang.san@nowhere.example' },
      displayName: '张三',
      text: 'hello',
      idempotencyKey: 'live-no-statement-1',
    });
    // Statements made on the match's own path (its async context), not those of the routing that the
    // message's events set off meanwhile.
    const executor = deps.db.getExecutor();
    const onPath = new AsyncLocalStorage<true>();
    const mine: string[] = [];
    const execute = executor.executeQuery.bind(executor);
    const spy = vi.spyOn(executor, 'executeQuery').mockImplementation((query) => {
      if (onPath.getStore()) mine.push(query.sql);
      return execute(query);
    });
    try {
      const outcome = await onPath.run(true, () =>
        matchCustomer(deps, actor, received.conversation.customerId, received.customer),
      );
      expect(mine).toEqual([]);
      expect(outcome.merged).toBeUndefined();
      await outcome.settled;
    } finally {
      spy.mockRestore();
    }
    // Its keys follow, behind.
    await waitFor(async () => (await keyRows(deps.db, received.conversation.customerId)) > 0);
  });

  it('takes a merge into account as soon as it is decided, and writes it just after', async () => {
    const actor = systemActor(tenantId);
    await updateMatchSettings(deps, actor, { upper: 0.85, lower: 0.5 });
    try {
      const { crm, received, mail } = await crmThenMail(
        { id: 'ln-1', name: '李娜', email: 'moonlight.na@corp.example', city: '杭州' },
        { from: 'moonlight.na@qq.example', name: 'Li Na', key: 'live-merge-1' },
      );
      const outcome = await matchCustomer(deps, actor, mail, received.customer);
      expect(outcome.merged).toMatchObject({ survivorId: crm, mergedId: mail });
      // Before the merge is written, the index already has the merged customer out and its mailbox on the survivor.
      const idx = await index();
      expect(idx.get(mail)).toBeUndefined();
      expect(idx.get(crm)!.identities.map((i) => i.value)).toContain('moonlight.na@qq.example');
      await outcome.settled;
      expect(outcome.merged?.mergeId).toBeDefined();
      const row = await deps.db
        .selectFrom('customers')
        .select('merged_into')
        .where('id', '=', mail)
        .executeTakeFirstOrThrow();
      expect(row.merged_into).toBe(crm);
    } finally {
      await updateMatchSettings(deps, actor, {});
    }
  });

  it('writes the key rows of a merge it decided from the index: the survivor gains the moved keys, the merged customer has none', async () => {
    const actor = systemActor(tenantId);
    await updateMatchSettings(deps, actor, { upper: 0.85, lower: 0.5 });
    try {
      const { crm, mail } = await crmThenMail(
        { id: 'zm-1', name: '赵敏', email: 'minmin.zhao@corp.example', city: '北京' },
        { from: 'minmin.zhao@qq.example', name: 'Zhao Min', key: 'live-merge-keys-1' },
      );
      await addIdentity(deps, actor, mail, { kind: 'phone', value: '+8613700137000' });
      const outcome = await matchCustomer(deps, actor, mail, undefined, { wait: true });
      expect(outcome.merged).toMatchObject({ survivorId: crm, mergedId: mail });
      await identityIdle(deps.db);
      const survivorKeys = (await index()).get(crm)!.keys;
      expect(survivorKeys).toContain('i:tel:+8613700137000');
      const stored = await deps.db
        .selectFrom('identity_match_keys')
        .select('key')
        .where('customer_id', '=', crm)
        .execute();
      expect(stored.map((r) => r.key).sort()).toEqual([...survivorKeys].sort());
      expect(await keyRows(deps.db, mail)).toBe(0);
    } finally {
      await updateMatchSettings(deps, actor, {});
    }
  });

  it('never gives a candidate from another tenant', async () => {
    const other = await t.addTenant('live-iso');
    const record = { id: 'wf-1', name: '王芳', email: 'sunnyfang@corp.example', city: '上海' };
    const mine = (await importCustomers(deps, systemActor(tenantId), [record])).results[0]!.customerId;
    const theirs = (await importCustomers(deps, systemActor(other.tenantId), [record])).results[0]!
      .customerId;
    const received = await receiveInbound(deps, systemActor(other.tenantId), {
      channelType: 'email',
      identity: { kind: 'email', value: 'sunnyfang@gmail.com' },
      displayName: 'Wang Fang',
      text: 'hello',
      idempotencyKey: 'live-iso-1',
    });
    const id = received.conversation.customerId;
    const outcome = await matchCustomer(deps, systemActor(other.tenantId), id, received.customer, {
      wait: true,
    });
    expect(outcome.suggested.map((s) => s.customerId)).toEqual([theirs]);
    const theirIndex = await identityIndexSnapshot(deps, other.tenantId);
    const theirCustomers = new Set(
      (
        await deps.db.selectFrom('customers').select('id').where('tenant_id', '=', other.tenantId).execute()
      ).map((r) => r.id),
    );
    expect([...theirIndex.ids()].every((x) => theirCustomers.has(x))).toBe(true);
    expect(theirIndex.get(mine)).toBeUndefined();
    expect((await pendingPairs(deps, tenantId)).some((p) => p.includes(id))).toBe(false);
  });
});

describe('the index after a restart', () => {
  const dataDir = mkdtempSync('/tmp/sb-identity-live-');
  let t: TestApp;
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is loaded from the database, and a customer whose decision was never written is matched again', async () => {
    t = await startTestApp('pglite', { dataDir });
    let deps = depsOf(t.sb);
    const tenantId = await tenantOf(deps.db);
    const actor = systemActor(tenantId);
    const report = await importCustomers(deps, actor, [
      { id: 'wf-1', name: '王芳', email: 'sunnyfang@corp.example', city: '上海' },
      { id: 'cj-1', name: '陈静', email: 'jingjing.c@corp.example' },
    ]);
    const [wangFang, chenJing] = report.results.map((r) => r.customerId) as [string, string];
    // As if the process stopped right after the message's commit: no match, no keys.
    const lost = await receiveInbound(deps, actor, {
      channelType: 'email',
      identity: { kind: 'email', value: 'jingjing.c@163.example' },
      displayName: 'Chen Jing',
      text: 'hello',
      idempotencyKey: 'live-lost-1',
    });
    const lostId = lost.conversation.customerId;
    expect(await keyRows(deps.db, lostId)).toBe(0);

    t = await t.restart();
    deps = depsOf(t.sb);
    await identityIndexSnapshot(deps, tenantId);
    // Customers imported before the restart are candidates of a new one.
    const received = await receiveInbound(deps, actor, {
      channelType: 'email',
      identity: { kind: 'email', value: 'sunnyfang@gmail.com' },
      displayName: 'Wang Fang',
      text: 'hello',
      idempotencyKey: 'live-restart-1',
    });
    const outcome = await matchCustomer(deps, actor, received.conversation.customerId, received.customer, {
      wait: true,
    });
    expect(outcome.suggested.map((s) => s.customerId)).toEqual([wangFang]);
    // The customer whose keys were never written is in the index at once …
    const idx = await identityIndexSnapshot(deps, tenantId);
    expect(idx.get(lostId)).toBeDefined();
    expect(idx.search(chenJing, idx.get(chenJing)!.keys).candidates).toContain(lostId);
    // … and is matched again (the load schedules it; run it now), which writes its decision and keys.
    expect(await recoverIdentityIndex(deps, tenantId)).toBe(1);
    expect(await pendingPairs(deps, tenantId)).toContain(pair(chenJing, lostId));
    expect(await keyRows(deps.db, lostId)).toBeGreaterThan(0);
  });
});

const pgReady = await serviceAvailable('postgres');

/** Two app instances ("processes") on one PostgreSQL schema and one bus, as in cluster mode. */
describe.skipIf(!pgReady)('two processes on one PostgreSQL', () => {
  const nodes: Switchboard[] = [];
  const bus = createMemoryBus({ logger: pino({ level: 'silent' }) });
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshSchema();
    drop = fresh.drop;
    const config = loadConfig(
      {
        SWITCHBOARD_ADMIN_EMAIL: OWNER.email,
        SWITCHBOARD_ADMIN_PASSWORD: OWNER.password,
        SWITCHBOARD_JWT_SECRET: 'identity-live-secret-identity-live-secret',
        SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY,
        LOG_LEVEL: 'silent',
      },
      { databaseUrl: SERVICES.postgres.url, port: 0, host: '127.0.0.1', smtpPort: 0, smtpHost: '127.0.0.1' },
    );
    for (let i = 0; i < 2; i++)
      nodes.push(
        await createSwitchboard(config, {
          logger: pino({ level: 'silent' }),
          schema: fresh.schema,
          bus,
          backgroundSends: false,
        }),
      );
  });
  afterAll(async () => {
    for (const n of nodes) await n.close();
    await bus.close();
    await drop?.();
  });

  it("each process's index follows the other's new customers, merges and rejections", async () => {
    const [a, b] = nodes as [Switchboard, Switchboard];
    const [da, dbb] = [depsOf(a), depsOf(b)];
    const tenantId = await tenantOf(da.db);
    const actor = systemActor(tenantId);
    // Copies of each process's index, taken anew on every poll.
    const idxA = () => identityIndexSnapshot(da, tenantId);
    const idxB = () => identityIndexSnapshot(dbb, tenantId);
    await idxA();
    await idxB();

    // A customer imported through A becomes a candidate in B.
    const crm = (
      await importCustomers(da, actor, [
        { id: 'wf-1', name: '王芳', email: 'sunnyfang@corp.example', city: '上海' },
      ])
    ).results[0]!.customerId;
    await waitFor(async () => (await idxB()).get(crm));
    const received = await receiveInbound(dbb, actor, {
      channelType: 'email',
      identity: { kind: 'email', value: 'sunnyfang@gmail.com' },
      displayName: 'Wang Fang',
      text: 'hello',
      idempotencyKey: 'two-nodes-1',
    });
    const mail = received.conversation.customerId;
    const outcome = await matchCustomer(dbb, actor, mail, received.customer, { wait: true });
    expect(outcome.suggested.map((s) => s.customerId)).toEqual([crm]);

    // A supervisor rejects it through A: B never suggests the pair again.
    await waitFor(async () => (await idxA()).get(mail));
    const suggestion = (await listSuggestions(da, actor, { limit: 10 })).items[0]!;
    await rejectSuggestion(da, actor, suggestion.id);
    await waitFor(async () => (await idxB()).apart(crm, mail));
    const again = await matchCustomer(dbb, actor, mail, undefined, { wait: true });
    expect(again.suggested).toEqual([]);

    // A merge through A takes the merged customer out of B's index and its identities onto the survivor.
    const other = await createCustomer(dbb, actor, {
      displayName: '刘洋',
      identities: [{ kind: 'phone', value: '+8613800138000' }],
    });
    await waitFor(async () => (await idxA()).get(other.id));
    await mergeCustomers(da, actor, {
      survivorId: crm,
      mergedId: other.id,
      confidence: 1,
      evidence: { source: 'manual' },
    });
    await waitFor(async () => {
      const idx = await idxB();
      return !idx.get(other.id) && idx.get(crm)?.prepared.tels.includes('+8613800138000');
    });
  });
});
