import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';

const pgUp = await serviceAvailable('postgres');

for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`data written through the API on ${kind}`, () => {
    const dataDir = kind === 'pglite' ? mkdtempSync('/tmp/sb-persist-') : undefined;
    let t: TestApp | undefined;
    afterAll(async () => {
      await t?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('survives a restart, and the first owner is not created twice', async () => {
      t = await startTestApp(kind, dataDir ? { dataDir } : {});
      const auth = await t.login(OWNER.email, OWNER.password);
      const created = await t.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: { authorization: auth },
        payload: {
          email: 'li.na@acme.test',
          password: 'persisted password',
          role: 'agent',
          displayName: '李娜',
        },
      });
      expect(created.statusCode).toBe(201);

      t = await t.restart();
      const again = await t.login('li.na@acme.test', 'persisted password');
      const me = await t.inject({ url: '/api/v1/auth/me', headers: { authorization: again } });
      expect(me.json()).toMatchObject({ id: created.json().id, displayName: '李娜' });
      const owners = await t.sb.ctx.storage.db
        .selectFrom('users')
        .select('id')
        .where('role', '=', 'owner')
        .execute();
      expect(owners).toHaveLength(1);
      const tenants = await t.sb.ctx.storage.db.selectFrom('tenants').select('id').execute();
      expect(tenants).toHaveLength(1);
    });
  });
}
