import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from './support/server-process.js';
import { SERVICES, serviceAvailable } from './support/services.js';

const pgUp = await serviceAvailable('postgres');
const ADMIN = { email: 'crash@acme.test', password: 'crash test password' };
const TG = { botToken: '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', secretToken: 'crash-secret' };
const N = 40;

function update(i: number) {
  const from = { id: 6100000000 + (i % 7), is_bot: false, first_name: 'Crash', last_name: `Test${i % 7}` };
  return {
    update_id: 910000 + i,
    message: {
      message_id: i,
      from,
      chat: { ...from, type: 'private' },
      date: 1764000000,
      text: `message ${i}`,
    },
  };
}

const start = startServer;

async function post(url: string, body: unknown): Promise<number> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG.secretToken },
      body: JSON.stringify(body),
    });
    return res.status;
  } catch {
    return 0; // connection dropped: the provider saw no acknowledgement and will retry
  }
}

/**
 * The provider's view: every update is posted until it is acknowledged with a 2xx. The process is
 * killed (SIGKILL, no shutdown) while many are in flight, then started again; the retries must
 * produce exactly one message per update.
 */
for (const kind of ['postgres', 'pglite'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(
    `killing the process between receipt and acknowledgement (${kind})`,
    () => {
      const dataDir = mkdtempSync('/tmp/sb-crash-');
      const dbName = `sb_crash_${randomBytes(4).toString('hex')}`;
      const base = SERVICES.postgres.url.replace(/\/[^/]*$/, '');
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        SWITCHBOARD_ADMIN_EMAIL: ADMIN.email,
        SWITCHBOARD_ADMIN_PASSWORD: ADMIN.password,
        SWITCHBOARD_JWT_SECRET: 'crash-secret-crash-secret-crash-secret-0000',
        SMTP_PORT: '0',
        ...(kind === 'postgres' && { DATABASE_URL: `${base}/${dbName}` }),
      };
      delete env.NATS_URL;

      afterAll(async () => {
        rmSync(dataDir, { recursive: true, force: true });
        if (kind === 'postgres') {
          const c = new pg.Client({ connectionString: `${base}/postgres` });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
          await c.end();
        }
      });

      it('loses nothing and doubles nothing', async () => {
        if (kind === 'postgres') {
          const c = new pg.Client({ connectionString: `${base}/postgres` });
          await c.connect();
          await c.query(`CREATE DATABASE ${dbName}`);
          await c.end();
        }
        let s = await start(env);
        const login = await fetch(`${s.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ADMIN),
        });
        const { token } = (await login.json()) as { token: string };
        const created = await fetch(`${s.url}/api/v1/channels`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ type: 'telegram', name: 'crash bot', config: TG }),
        });
        const channel = (await created.json()) as { webhookUrl: string };

        const acked = new Set<number>();
        const inFlight = Array.from({ length: N }, (_, i) =>
          post(`${s.url}${channel.webhookUrl}`, update(i)).then((status) => {
            if (status === 200) acked.add(i);
          }),
        );
        // Kill once some are through and others are not.
        while (acked.size < 5) await new Promise((r) => setTimeout(r, 5));
        s.child.kill('SIGKILL');
        await Promise.all(inFlight);
        expect(acked.size).toBeLessThan(N);

        s = await start(env);
        for (let round = 0; round < 5 && acked.size < N; round++) {
          for (let i = 0; i < N; i++) {
            if (!acked.has(i) && (await post(`${s.url}${channel.webhookUrl}`, update(i))) === 200)
              acked.add(i);
          }
        }
        expect(acked.size).toBe(N);
        // A provider also redelivers what it had no answer for; an acknowledged one sent again changes nothing.
        expect(await post(`${s.url}${channel.webhookUrl}`, update(0))).toBe(200);

        const login2 = await fetch(`${s.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ADMIN),
        });
        const auth = `Bearer ${((await login2.json()) as { token: string }).token}`;
        const texts: string[] = [];
        const convs = (await (
          await fetch(`${s.url}/api/v1/conversations?limit=200`, { headers: { authorization: auth } })
        ).json()) as {
          items: { id: string }[];
        };
        for (const c of convs.items) {
          const msgs = (await (
            await fetch(`${s.url}/api/v1/conversations/${c.id}/messages?limit=200`, {
              headers: { authorization: auth },
            })
          ).json()) as { items: { text: string }[] };
          texts.push(...msgs.items.map((m) => m.text));
        }
        expect(texts.sort()).toEqual(Array.from({ length: N }, (_, i) => `message ${i}`).sort());
        s.child.kill('SIGTERM');
        await new Promise((r) => s.child.once('exit', r));
      }, 180_000);
    },
  );
}
