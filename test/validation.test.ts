import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, startTestApp, type TestApp } from './support/app.js';

/** Bad input gets a clear 4xx problem document, and nothing is written. */
describe('bad input', () => {
  let t: TestApp;
  let auth: string;
  beforeAll(async () => {
    t = await startTestApp('pglite', { env: { SWITCHBOARD_BODY_LIMIT: '4096' } });
    auth = await t.login(OWNER.email, OWNER.password);
  });
  afterAll(() => t.close());

  async function counts() {
    // Published events leave the outbox a few ms after their commit: count once it has settled.
    await t.sb.ctx.outbox.flush();
    const db = t.sb.ctx.storage.db;
    const n = async (table: 'users' | 'events' | 'outbox') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { users: await n('users'), events: await n('events'), outbox: await n('outbox') };
  }

  const good = { email: 'new.agent@acme.test', password: 'a fine password', role: 'agent' };

  it.each([
    ['malformed JSON', '{"email": "x@y.z", "password": ', 400, 'MALFORMED_JSON'],
    ['an empty body', '', 400, 'MALFORMED_JSON'],
    [
      'a wrong type (number for a string)',
      JSON.stringify({ ...good, password: 12345678 }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a wrong type (string for an integer)',
      JSON.stringify({ ...good, maxChats: '3' }),
      400,
      'VALIDATION_FAILED',
    ],
    ['an unknown field', JSON.stringify({ ...good, isSuperuser: true }), 400, 'VALIDATION_FAILED'],
    ['a value outside the enum', JSON.stringify({ ...good, role: 'god' }), 400, 'VALIDATION_FAILED'],
    [
      'a missing required field',
      JSON.stringify({ email: good.email, role: 'agent' }),
      400,
      'VALIDATION_FAILED',
    ],
    ['a JSON array instead of an object', JSON.stringify([good]), 400, 'VALIDATION_FAILED'],
    [
      'an oversized body',
      JSON.stringify({ ...good, displayName: 'x'.repeat(10_000) }),
      400,
      'BODY_TOO_LARGE',
    ],
  ])('%s is a %i problem document and writes nothing', async (_name, payload, status, code) => {
    const before = await counts();
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: auth, 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status, code });
    expect(body.detail.length).toBeGreaterThan(10);
    expect(await counts()).toEqual(before);
  });

  it('a POST with no body at all reads as {}: an action runs, a create names its missing fields', async () => {
    const user = await t.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: auth } });
    expect(user.statusCode).toBe(400);
    expect(user.json().detail).toContain('body.email is required');
    const read = await t.inject({
      method: 'POST',
      url: '/api/v1/routing/reservations/res-999/accept',
      headers: { authorization: auth },
    });
    expect(read.statusCode).toBe(404);
  });

  it('names the offending field', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: auth },
      payload: { ...good, isSuperuser: true },
    });
    expect(res.json().detail).toContain('isSuperuser');
    expect(res.json().errors).toContainEqual({ path: 'body.isSuperuser', message: 'is not a known field' });
  });

  it('a body in another media type is a 415 problem', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: auth, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('a malformed id in the path is a 400, an unknown one a 404', async () => {
    const bad = await t.inject({ url: '/api/v1/users/not-a-uuid', headers: { authorization: auth } });
    expect(bad.statusCode).toBe(400);
    const unknown = await t.inject({
      url: '/api/v1/users/01934b6e-0000-7000-8000-000000000000',
      headers: { authorization: auth },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('NOT_FOUND');
  });

  it('an unknown route is a 404 problem document', async () => {
    const res = await t.inject({ url: '/api/v1/nope', headers: { authorization: auth } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('a duplicate e-mail is a 409 and the first user is untouched', async () => {
    const first = await t.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: auth },
      payload: { ...good, email: 'dup@acme.test' },
    });
    expect(first.statusCode).toBe(201);
    const before = await counts();
    const again = await t.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: auth },
      payload: { ...good, email: 'DUP@acme.test', role: 'supervisor' },
    });
    expect(again.statusCode).toBe(409);
    expect(await counts()).toEqual(before);
  });
});
