import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, startTestApp, type TestApp } from './support/app.js';

describe('signing in and roles', () => {
  let t: TestApp;
  let ownerAuth: string;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    ownerAuth = await t.login(OWNER.email, OWNER.password);
  });
  afterAll(() => t.close());

  const inject: TestApp['inject'] = (opts) => t.inject(opts);

  it('the owner named by SWITCHBOARD_ADMIN_EMAIL/PASSWORD logs in and gets a JWT', async () => {
    const res = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token.split('.')).toHaveLength(3);
    expect(body.user).toMatchObject({ email: OWNER.email, role: 'owner' });
    const me = await inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${body.token}` } });
    expect(me.json()).toMatchObject({ email: OWNER.email, role: 'owner' });
  });

  it('logs in whatever the case of the e-mail address', async () => {
    const res = await inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: OWNER.email.toUpperCase(), password: OWNER.password },
    });
    expect(res.statusCode).toBe(200);
  });

  it('a wrong password is a 401 problem document that does not say which part was wrong', async () => {
    const res = await inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { ...OWNER, password: 'nope-nope' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
      detail: 'e-mail or password is wrong',
    });
    const unknown = await inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@acme.test', password: 'whatever1' },
    });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().detail).toBe(res.json().detail);
  });

  it.each([
    ['no header', undefined],
    ['a malformed header', 'Token abc'],
    ['a forged token', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
  ])('a request with %s is a 401 problem', async (_name, authorization) => {
    const res = await inject({ url: '/api/v1/users', headers: authorization ? { authorization } : {} });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().detail).toBeTruthy();
  });

  it('an agent token on an admin-only route is a 403, and the agent can still read its own account', async () => {
    const created = await inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: ownerAuth },
      payload: {
        email: 'agent1@acme.test',
        password: 'agent password 1',
        role: 'agent',
        displayName: '王小明',
      },
    });
    expect(created.statusCode).toBe(201);
    const agentAuth = await t.login('agent1@acme.test', 'agent password 1');
    const res = await inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: agentAuth },
      payload: { email: 'agent2@acme.test', password: 'agent password 2', role: 'agent' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
    const me = await inject({ url: '/api/v1/auth/me', headers: { authorization: agentAuth } });
    expect(me.json()).toMatchObject({ displayName: '王小明', role: 'agent' });
  });

  it('an admin cannot create an owner; a disabled user loses access at once', async () => {
    await inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: ownerAuth },
      payload: { email: 'admin1@acme.test', password: 'admin password 1', role: 'admin' },
    });
    const adminAuth = await t.login('admin1@acme.test', 'admin password 1');
    const escalate = await inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: adminAuth },
      payload: { email: 'owner2@acme.test', password: 'owner password 2', role: 'owner' },
    });
    expect(escalate.statusCode).toBe(403);

    const sup = await inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: adminAuth },
      payload: { email: 'sup1@acme.test', password: 'sup password 1', role: 'supervisor' },
    });
    expect(sup.statusCode).toBe(201);
    const supAuth = await t.login('sup1@acme.test', 'sup password 1');
    const disable = await inject({
      method: 'PATCH',
      url: `/api/v1/users/${sup.json().id}`,
      headers: { authorization: adminAuth },
      payload: { status: 'disabled' },
    });
    expect(disable.statusCode).toBe(200);
    const after = await inject({ url: '/api/v1/users', headers: { authorization: supAuth } });
    expect(after.statusCode).toBe(401);
  });

  it('the last owner cannot be demoted', async () => {
    const me = (await inject({ url: '/api/v1/auth/me', headers: { authorization: ownerAuth } })).json();
    const second = await inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: ownerAuth },
      payload: { email: 'admin9@acme.test', password: 'admin password 9', role: 'admin' },
    });
    const res = await inject({
      method: 'PATCH',
      url: `/api/v1/users/${me.id}`,
      headers: { authorization: ownerAuth },
      payload: { role: 'admin' },
    });
    expect(res.statusCode).toBe(403);
    expect(second.statusCode).toBe(201);
  });

  it('every sign-in, failed or not, is in the audit log, and the log refuses changes', async () => {
    const db = t.sb.ctx.storage.db;
    const rows = await db.selectFrom('audit_log').select(['action']).execute();
    const actions = rows.map((r) => r.action);
    expect(actions).toContain('auth.login');
    expect(actions).toContain('auth.login_failed');
    await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable('audit_log').set({ action: 'x' }).execute()).rejects.toThrow(/append-only/);
  });
});
