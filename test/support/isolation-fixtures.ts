// Shared setup of the isolation tests (test/isolation-*.test.ts): per database kind, an app where
// tenant A's resources are created through the API, a second tenant B's owner, and one of A's agents.
import { afterAll, beforeAll, describe } from 'vitest';
import { newId } from '../../src/core/index.js';
import { saveRecording } from '../../src/voice/recording/index.js';
import { OWNER, startTestApp, type TestApp } from './app.js';
import { serviceAvailable } from './services.js';

const pgUp = await serviceAvailable('postgres');

/** Tenant A's resources, created through the API; tenant B then tries every route on them. */
export interface Fixture {
  user: string;
  team: string;
  skill: string;
  queue: string;
  channel: string;
  customer: string;
  identity: string;
  conversation: string;
  note: string;
  canned: string;
  disposition: string;
  hours: string;
  ivrFlow: string;
  recording: string;
}

export interface IsolationEnv {
  t: TestApp;
  /** Tenant A's ids. */
  a: Fixture;
  aTenant: string;
  /** Authorization header of tenant B's owner. */
  bAuth: string;
  /** Authorization header of A's agent (a.user). */
  agentAuth: string;
}

/** One request to `t` as the holder of `auth`. */
export async function call(t: TestApp, auth: string, method: string, url: string, payload?: unknown) {
  return t.inject({
    method: method as 'GET',
    url,
    headers: { authorization: auth },
    ...(payload ? { payload } : {}),
  });
}

/** Creates tenant A's resources as its owner, then tenant B and signs in B's owner and A's agent. */
async function seed(t: TestApp): Promise<Omit<IsolationEnv, 't'>> {
  const auth = await t.login(OWNER.email, OWNER.password);
  const post = async (url: string, payload: unknown) => {
    const res = await call(t, auth, 'POST', url, payload);
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const user = await post('/api/v1/users', {
    email: 'a.agent@acme.test',
    password: 'agent a password',
    role: 'agent',
  });
  const team = await post('/api/v1/teams', { name: 'A team' });
  const skill = await post('/api/v1/skills', { name: 'refund' });
  const queue = await post('/api/v1/queues', { name: 'A queue', skills: [{ skillId: skill.id }] });
  const channel = await post('/api/v1/channels', {
    type: 'telegram',
    name: 'A bot',
    config: { botToken: '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', secretToken: 'a-secret' },
  });
  const customer = await post('/api/v1/customers', {
    displayName: '张伟',
    identities: [{ kind: 'phone', value: '+8613800138000' }],
  });
  const conversation = await post('/api/v1/conversations', {
    customerId: customer.id,
    channelType: 'webchat',
  });
  await post(`/api/v1/conversations/${conversation.id}/messages`, { text: 'A secret reply' });
  await call(t, auth, 'PUT', `/api/v1/teams/${team.id}/members`, { userIds: [user.id] });
  const note = await post(`/api/v1/conversations/${conversation.id}/notes`, { text: 'A private note' });
  const canned = await post('/api/v1/canned-responses', {
    title: 'A',
    shortcut: 'refund',
    body: 'A body',
  });
  const disposition = await post('/api/v1/disposition-codes', {
    code: 'a_code',
    labels: { en: 'A', 'zh-CN': 'A' },
  });
  const hours = await post('/api/v1/business-hours', { name: 'A hours', timezone: 'Asia/Shanghai' });
  await call(t, auth, 'POST', `/api/v1/conversations/${conversation.id}/read`, {});
  const ivrFlow = await post('/api/v1/ivr/flows', {
    name: 'A flow',
    definition: { entry: 'q', nodes: [{ id: 'q', type: 'enqueue', queueId: queue.id }] },
  });
  await call(t, auth, 'PUT', '/api/v1/ivr/numbers/+864001112222', { flowId: ivrFlow.id });
  // A recording row as the voice module saves it (B never gets as far as its file).
  const recording = newId();
  await saveRecording(
    { db: t.sb.ctx.storage.db, dir: '/recordings' },
    {
      tenantId: user.tenantId,
      conversationId: conversation.id,
      callId: 'a-call',
      customerId: customer.id,
      agentIds: [user.id],
      file: {
        id: recording,
        path: `/recordings/${user.tenantId}/${recording}.sbrec`,
        wrappedKey: 'v1.not.a-key',
        durationMs: 1000,
        bytes: 100,
        startedAt: new Date(),
        endedAt: new Date(),
      },
    },
  );
  return {
    a: {
      user: user.id,
      team: team.id,
      skill: skill.id,
      queue: queue.id,
      channel: channel.id,
      customer: customer.id,
      identity: customer.identities[0].id,
      conversation: conversation.id,
      note: note.id,
      canned: canned.id,
      disposition: disposition.id,
      hours: hours.id,
      ivrFlow: ivrFlow.id,
      recording,
    },
    aTenant: user.tenantId,
    bAuth: (await t.addTenant('other')).auth,
    agentAuth: await t.login('a.agent@acme.test', 'agent a password'),
  };
}

/**
 * `tests` is declared once per database kind (postgres only when it is up) in a
 * `tenant isolation on <kind>` block; `env` is filled by the block's beforeAll.
 */
export function describeIsolation(tests: (env: IsolationEnv) => void): void {
  for (const kind of ['pglite', 'postgres'] as const) {
    describe.skipIf(kind === 'postgres' && !pgUp)(`tenant isolation on ${kind}`, () => {
      const env = {} as IsolationEnv;
      beforeAll(async () => {
        env.t = await startTestApp(kind);
        Object.assign(env, await seed(env.t));
      });
      afterAll(() => env.t.close());
      tests(env);
    });
  }
}
