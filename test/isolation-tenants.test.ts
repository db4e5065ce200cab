// Tenant isolation of the REST API: every /api/v1 route has a case in CASES, and tenant B's owner,
// calling each one with A's ids, gets 403/404 on A's rows, sees none of A's ids and changes none of A's rows.
import { expect, it } from 'vitest';
import type { Database } from '../src/storage/index.js';
import { OWNER } from './support/app.js';
import { call, describeIsolation, type Fixture } from './support/isolation-fixtures.js';

interface Case {
  /** Path parameters, filled from tenant A's ids. */
  params?: (a: Fixture) => Record<string, string>;
  /** A body valid by the route's schema, so the request reaches the tenant check. */
  body?: (a: Fixture) => Record<string, unknown>;
  query?: (a: Fixture) => Record<string, string>;
  /** The route targets one of A's rows: B must get 404 (or 403), never the row. */
  targetsA: boolean;
}

/** Every /api/v1 route. A route missing here fails the test: add its isolation case. */
const CASES: Record<string, Case> = {
  'POST /api/v1/auth/login': {
    targetsA: false,
    body: () => ({ email: OWNER.email, password: 'wrong password' }),
  },
  'GET /api/v1/auth/me': { targetsA: false },
  'GET /api/v1/tenant': { targetsA: false },
  // B changes its own tenant's settings only.
  'PATCH /api/v1/tenant': { targetsA: false, body: () => ({ settings: { maskPiiForAgents: false } }) },
  'GET /api/v1/users': { targetsA: false },
  'POST /api/v1/users': {
    targetsA: false,
    body: () => ({ email: 'b.agent@b.test', password: 'b password 1', role: 'agent' }),
  },
  // Names and states of B's own colleagues only.
  'GET /api/v1/directory/agents': { targetsA: false },
  'GET /api/v1/users/:id': { targetsA: true, params: (a) => ({ id: a.user }) },
  'PATCH /api/v1/users/:id': {
    targetsA: true,
    params: (a) => ({ id: a.user }),
    body: () => ({ displayName: 'hijacked' }),
  },
  'PUT /api/v1/users/:id/password': {
    targetsA: true,
    params: (a) => ({ id: a.user }),
    body: () => ({ password: 'hijacked password' }),
  },
  'GET /api/v1/teams': { targetsA: false },
  'POST /api/v1/teams': { targetsA: false, body: () => ({ name: 'B team' }) },
  'GET /api/v1/teams/:id': { targetsA: true, params: (a) => ({ id: a.team }) },
  'PATCH /api/v1/teams/:id': {
    targetsA: true,
    params: (a) => ({ id: a.team }),
    body: () => ({ name: 'hijacked' }),
  },
  'DELETE /api/v1/teams/:id': { targetsA: true, params: (a) => ({ id: a.team }) },
  'PUT /api/v1/teams/:id/members': {
    targetsA: true,
    params: (a) => ({ id: a.team }),
    body: (a) => ({ userIds: [a.user] }),
  },
  'GET /api/v1/skills': { targetsA: false },
  'POST /api/v1/skills': { targetsA: false, body: () => ({ name: 'B skill' }) },
  'GET /api/v1/skills/:id': { targetsA: true, params: (a) => ({ id: a.skill }) },
  'PATCH /api/v1/skills/:id': {
    targetsA: true,
    params: (a) => ({ id: a.skill }),
    body: () => ({ name: 'hijacked' }),
  },
  'DELETE /api/v1/skills/:id': { targetsA: true, params: (a) => ({ id: a.skill }) },
  'GET /api/v1/users/:id/skills': { targetsA: true, params: (a) => ({ id: a.user }) },
  'PUT /api/v1/users/:id/skills': {
    targetsA: true,
    params: (a) => ({ id: a.user }),
    body: (a) => ({ skills: [{ skillId: a.skill, proficiency: 5 }] }),
  },
  'GET /api/v1/queues': { targetsA: false },
  // B referencing A's skill in its own new queue is refused too.
  'POST /api/v1/queues': {
    targetsA: true,
    body: (a) => ({ name: 'B queue', skills: [{ skillId: a.skill }] }),
  },
  'GET /api/v1/queues/:id': { targetsA: true, params: (a) => ({ id: a.queue }) },
  'PATCH /api/v1/queues/:id': {
    targetsA: true,
    params: (a) => ({ id: a.queue }),
    body: () => ({ priority: 99 }),
  },
  'DELETE /api/v1/queues/:id': { targetsA: true, params: (a) => ({ id: a.queue }) },
  'GET /api/v1/channels': { targetsA: false },
  'GET /api/v1/channel-types': { targetsA: false },
  'POST /api/v1/channels': { targetsA: false, body: () => ({ type: 'webchat', name: 'B chat', config: {} }) },
  'GET /api/v1/channels/:id': { targetsA: true, params: (a) => ({ id: a.channel }) },
  'PATCH /api/v1/channels/:id': {
    targetsA: true,
    params: (a) => ({ id: a.channel }),
    body: () => ({ enabled: false }),
  },
  'DELETE /api/v1/channels/:id': { targetsA: true, params: (a) => ({ id: a.channel }) },
  'GET /api/v1/customers': { targetsA: false, query: () => ({ q: '+8613800138000' }) },
  'POST /api/v1/customers': { targetsA: false, body: () => ({ displayName: 'B customer' }) },
  'GET /api/v1/customers/:id': { targetsA: true, params: (a) => ({ id: a.customer }) },
  'GET /api/v1/customers/:id/timeline': { targetsA: true, params: (a) => ({ id: a.customer }) },
  'GET /api/v1/customers/:id/identity': { targetsA: true, params: (a) => ({ id: a.customer }) },
  'POST /api/v1/customers/:id/merge': {
    targetsA: true,
    params: (a) => ({ id: a.customer }),
    body: (a) => ({ otherId: a.conversation }),
  },
  // No merge exists; an unknown id of any tenant is a 404.
  'GET /api/v1/merge-suggestions': { targetsA: false },
  'GET /api/v1/identity/settings': { targetsA: false },
  'GET /api/v1/routing/rules': { targetsA: false },
  'GET /api/v1/routing/rules/versions': { targetsA: false },
  // B's rules cannot send work to A's queue.
  'PUT /api/v1/routing/rules': {
    targetsA: false,
    body: (a) => ({ steps: [{ id: 's1', queueId: a.queue }] }),
  },
  'GET /api/v1/routing/stats': { targetsA: false },
  'POST /api/v1/routing/rules/validate': {
    targetsA: false,
    body: () => ({ expression: "task.channel == 'webchat'", context: 'task' }),
  },
  // B's draft naming A's queue finds no such queue among B's: the task goes nowhere.
  'POST /api/v1/routing/rules/test': {
    targetsA: false,
    body: (a) => ({ steps: [{ id: 's1', queueId: a.queue }], task: { channel: 'webchat' } }),
  },
  'POST /api/v1/conversations/:id/assign': {
    targetsA: true,
    params: (a) => ({ id: a.conversation }),
    body: (a) => ({ agentId: a.user }),
  },
  'POST /api/v1/conversations/:id/take-over': {
    targetsA: true,
    params: (a) => ({ id: a.conversation }),
    body: () => ({}),
  },
  'GET /api/v1/analytics/volume': { targetsA: false },
  'GET /api/v1/analytics/queues': { targetsA: false },
  'GET /api/v1/routing/settings': { targetsA: false },
  'PUT /api/v1/routing/settings': { targetsA: false, body: () => ({ agingPerMinute: 2 }) },
  'GET /api/v1/routing/break-reasons': { targetsA: false },
  'GET /api/v1/routing/agents/:id/state': { targetsA: true, params: (a) => ({ id: a.user }) },
  'PUT /api/v1/routing/agents/:id/state': {
    targetsA: true,
    params: (a) => ({ id: a.user }),
    body: () => ({ state: 'available' }),
  },
  'PUT /api/v1/routing/agents/:id/profile': {
    targetsA: true,
    params: (a) => ({ id: a.user }),
    body: () => ({ rating: 1 }),
  },
  'GET /api/v1/routing/reservations': { targetsA: false },
  'POST /api/v1/routing/reservations/:id/accept': {
    targetsA: true,
    params: () => ({ id: 'res-1' }),
    body: () => ({}),
  },
  'POST /api/v1/routing/reservations/:id/reject': {
    targetsA: true,
    params: () => ({ id: 'res-1' }),
    body: () => ({}),
  },
  'GET /api/v1/routing/tasks': { targetsA: false },
  'POST /api/v1/routing/tasks': {
    targetsA: true,
    body: (a) => ({ channel: 'webchat', conversationId: a.conversation }),
  },
  'GET /api/v1/routing/tasks/:id': { targetsA: true, params: (a) => ({ id: a.conversation }) },
  'POST /api/v1/routing/tasks/:id/complete': {
    targetsA: true,
    params: (a) => ({ id: a.conversation }),
    body: () => ({}),
  },
  'POST /api/v1/routing/tasks/:id/transfer': {
    targetsA: true,
    params: (a) => ({ id: a.conversation }),
    body: (a) => ({ queueId: a.queue }),
  },
  'POST /api/v1/routing/tasks/:id/cancel': {
    targetsA: true,
    params: (a) => ({ id: a.conversation }),
    body: () => ({}),
  },
  'PUT /api/v1/identity/settings': { targetsA: false, body: () => ({ upper: 0.97, lower: 0.7 }) },
  'POST /api/v1/identity/model/train': { targetsA: false, body: () => ({}) },
  // B imports a record with A's customer's phone: it becomes B's own customer, A's stays untouched.
  'POST /api/v1/customers/import': {
    targetsA: false,
    body: () => ({ records: [{ id: 'r1', phone: '+86 138 0013 8000', name: 'B person', city: '上海' }] }),
  },
  'POST /api/v1/merge-suggestions/:id/accept': {
    targetsA: true,
    params: (a) => ({ id: a.customer }),
    body: () => ({}),
  },
  'POST /api/v1/merge-suggestions/:id/reject': {
    targetsA: true,
    params: (a) => ({ id: a.customer }),
    body: () => ({}),
  },
  'POST /api/v1/customer-merges/:id/undo': {
    targetsA: true,
    params: (a) => ({ id: a.customer }),
    body: () => ({}),
  },
  'PATCH /api/v1/customers/:id': {
    targetsA: true,
    params: (a) => ({ id: a.customer }),
    body: () => ({ tier: 9 }),
  },
  'POST /api/v1/customers/:id/identities': {
    targetsA: true,
    params: (a) => ({ id: a.customer }),
    body: () => ({ kind: 'email', value: 'planted@b.test' }),
  },
  'DELETE /api/v1/customers/:id/identities/:identityId': {
    targetsA: true,
    params: (a) => ({ id: a.customer, identityId: a.identity }),
  },
  'GET /api/v1/conversations': { targetsA: false },
  // B opening a conversation for A's customer is refused.
  'POST /api/v1/conversations': {
    targetsA: true,
    body: (a) => ({ customerId: a.customer, channelType: 'webchat' }),
  },
  'GET /api/v1/conversations/:id': { targetsA: true, params: (a) => ({ id: a.conversation }) },
  'PATCH /api/v1/conversations/:id': {
    targetsA: true,
    params: (a) => ({ id: a.conversation }),
    body: () => ({ status: 'closed' }),
  },
  'GET /api/v1/conversations/:id/messages': { targetsA: true, params: (a) => ({ id: a.conversation }) },
  'POST /api/v1/conversations/:id/messages': {
    targetsA: true,
    params: (a) => ({ id: a.conversation }),
    body: () => ({ text: 'planted' }),
  },
  // The same identity value in B makes B's own customer, never A's.
  'POST /api/v1/messages/inbound': {
    targetsA: false,
    body: () => ({
      channelType: 'sms',
      identity: { kind: 'phone', value: '+8613800138000' },
      text: 'hello from B',
      idempotencyKey: 'b-1',
    }),
  },
  'GET /api/v1/events': { targetsA: false },
  'GET /api/v1/audit': { targetsA: false },
  'GET /api/v1/conversations/:id/notes': { targetsA: true, params: (a) => ({ id: a.conversation }) },
  'POST /api/v1/conversations/:id/notes': {
    targetsA: true,
    params: (a) => ({ id: a.conversation }),
    body: () => ({ text: 'planted note' }),
  },
  'POST /api/v1/conversations/:id/wrap-up': {
    targetsA: true,
    params: (a) => ({ id: a.conversation }),
    body: () => ({ dispositionCode: 'a_code' }),
  },
  'POST /api/v1/conversations/:id/read': {
    targetsA: true,
    params: (a) => ({ id: a.conversation }),
    body: () => ({}),
  },
  'POST /api/v1/conversations/:id/typing': {
    targetsA: true,
    params: (a) => ({ id: a.conversation }),
    body: () => ({ typing: true }),
  },
  'POST /api/v1/conversations/:id/attachments': { targetsA: true, params: (a) => ({ id: a.conversation }) },
  'GET /api/v1/canned-responses': { targetsA: false, query: () => ({ q: 'refund' }) },
  // The same shortcut in B is B's own.
  'POST /api/v1/canned-responses': {
    targetsA: false,
    body: () => ({ title: 'B canned', shortcut: 'refund', body: 'B body' }),
  },
  'PATCH /api/v1/canned-responses/:id': {
    targetsA: true,
    params: (a) => ({ id: a.canned }),
    body: () => ({ body: 'hijacked' }),
  },
  'DELETE /api/v1/canned-responses/:id': { targetsA: true, params: (a) => ({ id: a.canned }) },
  'POST /api/v1/canned-responses/:id/render': {
    targetsA: true,
    params: (a) => ({ id: a.canned }),
    body: (a) => ({ conversationId: a.conversation }),
  },
  'GET /api/v1/disposition-codes': { targetsA: false },
  'POST /api/v1/disposition-codes': {
    targetsA: false,
    body: () => ({ code: 'a_code', labels: { en: 'B', 'zh-CN': 'B' } }),
  },
  'PATCH /api/v1/disposition-codes/:id': {
    targetsA: true,
    params: (a) => ({ id: a.disposition }),
    body: () => ({ active: false }),
  },
  'DELETE /api/v1/disposition-codes/:id': { targetsA: true, params: (a) => ({ id: a.disposition }) },
  'GET /api/v1/business-hours': { targetsA: false },
  'POST /api/v1/business-hours': {
    targetsA: false,
    body: () => ({ name: 'A hours', timezone: 'Asia/Shanghai' }),
  },
  'GET /api/v1/business-hours/:id': { targetsA: true, params: (a) => ({ id: a.hours }) },
  'PATCH /api/v1/business-hours/:id': {
    targetsA: true,
    params: (a) => ({ id: a.hours }),
    body: () => ({ name: 'hijacked' }),
  },
  'DELETE /api/v1/business-hours/:id': { targetsA: true, params: (a) => ({ id: a.hours }) },
  'GET /api/v1/business-hours/:id/status': { targetsA: true, params: (a) => ({ id: a.hours }) },
  'GET /api/v1/ivr/flows': { targetsA: false },
  // B's flow cannot send calls to A's queue: refused as a queue that does not exist.
  'POST /api/v1/ivr/flows': {
    targetsA: false,
    body: (a) => ({
      name: 'B flow',
      definition: { entry: 'q', nodes: [{ id: 'q', type: 'enqueue', queueId: a.queue }] },
    }),
  },
  'GET /api/v1/ivr/flows/:id': { targetsA: true, params: (a) => ({ id: a.ivrFlow }) },
  'PUT /api/v1/ivr/flows/:id': {
    targetsA: true,
    params: (a) => ({ id: a.ivrFlow }),
    body: () => ({ name: 'hijacked', definition: { entry: 'h', nodes: [{ id: 'h', type: 'hangup' }] } }),
  },
  'POST /api/v1/ivr/flows/:id/simulate': {
    targetsA: true,
    params: (a) => ({ id: a.ivrFlow }),
    body: () => ({ digits: ['1'] }),
  },
  'POST /api/v1/ivr/prompts/preview': { targetsA: false, body: () => ({ text: '您好', language: 'zh-CN' }) },
  'GET /api/v1/ivr/audio': { targetsA: false },
  // Not a WAV file: refused before anything is stored.
  'POST /api/v1/ivr/audio': { targetsA: false, body: () => ({ not: 'audio' }) },
  'GET /api/v1/ivr/numbers': { targetsA: false },
  // A's number pointed at A's flow by B: the flow is not B's.
  'PUT /api/v1/ivr/numbers/:number': {
    targetsA: true,
    params: () => ({ number: '+864001112222' }),
    body: (a) => ({ flowId: a.ivrFlow }),
  },
  'DELETE /api/v1/ivr/numbers/:number': { targetsA: true, params: () => ({ number: '+864001112222' }) },
  // B filtering by A's conversation finds none of A's recordings.
  'GET /api/v1/recordings': { targetsA: false, query: (a) => ({ conversationId: a.conversation }) },
  'GET /api/v1/recordings/:id/audio': { targetsA: true, params: (a) => ({ id: a.recording }) },
  // Calls are looked up by conversation within the caller's tenant: A's are not B's.
  'GET /api/v1/voice/calls': { targetsA: false },
  // B calling A's customer: not B's customer (and B has no trunk).
  'POST /api/v1/voice/calls': {
    targetsA: true,
    body: (a) => ({ number: '+8613800138000', customerId: a.customer }),
  },
  'GET /api/v1/voice/settings': { targetsA: false },
  'PUT /api/v1/voice/settings': { targetsA: false, body: () => ({ callerId: '+864009998888' }) },
  'GET /api/v1/voice/calls/:conversationId': {
    targetsA: true,
    params: (a) => ({ conversationId: a.conversation }),
  },
  'POST /api/v1/voice/calls/:conversationId/hold': {
    targetsA: true,
    params: (a) => ({ conversationId: a.conversation }),
    body: () => ({}),
  },
  'POST /api/v1/voice/calls/:conversationId/resume': {
    targetsA: true,
    params: (a) => ({ conversationId: a.conversation }),
    body: () => ({}),
  },
  'POST /api/v1/voice/calls/:conversationId/hangup': {
    targetsA: true,
    params: (a) => ({ conversationId: a.conversation }),
    body: () => ({}),
  },
  'POST /api/v1/voice/calls/:conversationId/transfer': {
    targetsA: true,
    params: (a) => ({ conversationId: a.conversation }),
    body: (a) => ({ queueId: a.queue }),
  },
  'POST /api/v1/voice/calls/:conversationId/consult': {
    targetsA: true,
    params: (a) => ({ conversationId: a.conversation }),
    body: (a) => ({ agentId: a.user }),
  },
  ...Object.fromEntries(
    ['consult/complete', 'consult/cancel', 'conference', 'leave'].map((p) => [
      `POST /api/v1/voice/calls/:conversationId/${p}`,
      { targetsA: true, params: (a: Fixture) => ({ conversationId: a.conversation }), body: () => ({}) },
    ]),
  ),
  'GET /api/v1/voice/agents/:userId/phone': { targetsA: true, params: (a) => ({ userId: a.user }) },
  'PUT /api/v1/voice/agents/:userId/phone': {
    targetsA: true,
    params: (a) => ({ userId: a.user }),
    body: () => ({ uri: 'sip:hijack@10.0.0.9' }),
  },
  // B's own line: a malformed offer is refused, and B has no line to read, mute or close.
  'POST /api/v1/voice/softphone': { targetsA: false, body: () => ({ sdp: 'not an sdp offer' }) },
  'GET /api/v1/voice/softphone': { targetsA: false },
  'POST /api/v1/voice/softphone/mute': { targetsA: false, body: () => ({ muted: true }) },
  'DELETE /api/v1/voice/softphone': { targetsA: false },
};

const TENANT_TABLES = [
  'users',
  'teams',
  'team_members',
  'skills',
  'agent_skills',
  'queues',
  'queue_skills',
  'customers',
  'identities',
  'channels',
  'conversations',
  'messages',
  'conversation_notes',
  'canned_responses',
  'disposition_codes',
  'business_hours',
  'conversation_reads',
  'ivr_flows',
  'voice_numbers',
  'ivr_audio',
  'call_recordings',
  'voice_agent_phones',
] as const satisfies readonly (keyof Database)[];

describeIsolation((env) => {
  async function snapshotA() {
    const db = env.t.sb.ctx.storage.db;
    const out: Record<string, unknown[]> = {};
    for (const table of TENANT_TABLES) {
      out[table] = await db
        .selectFrom(table)
        .selectAll()
        .where('tenant_id', '=', env.aTenant)
        .orderBy('tenant_id')
        .execute();
      out[table].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    }
    return out;
  }

  it('has an isolation case for every /api/v1 route', () => {
    const { t } = env;
    const routes = t.sb.server.routes
      .filter((r) => r.url.startsWith('/api/v1'))
      .map((r) => `${r.method} ${r.url}`);
    expect(routes.filter((r) => !(r in CASES))).toEqual([]);
  });

  it("a second tenant's owner can neither read nor change the first tenant's rows through any route", async () => {
    const { t, a, bAuth } = env;
    const before = await snapshotA();
    const aIds = Object.values(a);
    for (const route of t.sb.server.routes.filter((r) => r.url.startsWith('/api/v1'))) {
      const c = CASES[`${route.method} ${route.url}`];
      if (!c) continue;
      const params = c.params?.(a) ?? {};
      let url = route.url.replace(/:([A-Za-z]+)/g, (_m, name: string) => params[name] ?? '');
      const query = c.query?.(a);
      if (query) url += `?${new URLSearchParams(query)}`;
      const body = c.body?.(a);
      const res = await call(t, bAuth, route.method, url, body);
      const label = `${route.method} ${route.url} → ${res.statusCode} ${res.body.slice(0, 200)}`;
      if (c.targetsA) expect([403, 404], label).toContain(res.statusCode);
      else expect(res.statusCode, label).toBeLessThan(500);
      // An id the caller sent may be echoed back ("… does not exist"); any other of A's ids is a leak.
      const sent = url + JSON.stringify(body ?? {});
      for (const id of aIds.filter((i) => !sent.includes(i))) {
        expect(res.body.includes(id), `${label} leaks ${id}`).toBe(false);
      }
      expect(res.body.includes('A secret reply'), label).toBe(false);
    }
    expect(await snapshotA()).toEqual(before);
    // B's inbound with A's customer's phone number made B its own customer.
    const bCustomers = await t.sb.ctx.storage.db
      .selectFrom('identities')
      .select(['tenant_id', 'customer_id'])
      .where('value', '=', '+8613800138000')
      .execute();
    expect(new Set(bCustomers.map((r) => r.tenant_id)).size).toBe(2);
  });
});
