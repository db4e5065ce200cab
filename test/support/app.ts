import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { createTenant } from '../../src/accounts/index.js';
import { createSwitchboard, type Switchboard } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { openStorage } from '../../src/storage/index.js';
import { SERVICES } from './services.js';

export type DbKind = 'pglite' | 'postgres';

export interface TestApp {
  sb: Switchboard;
  config: Config;
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
  /** Logs in and returns the Authorization header value. */
  login(email: string, password: string): Promise<string>;
  /** A second company with its own owner, for isolation tests. */
  addTenant(slug: string): Promise<{ tenantId: string; email: string; password: string; auth: string }>;
  /** Same database and data dir, new process-like instance (for restart tests). */
  restart(): Promise<TestApp>;
  close(): Promise<void>;
}

/** A fixed 32-byte key for tests only. */
export const TEST_MASTER_KEY = 'vJD9mHDp3ImP59fkTnevuyzn+q2T5Pdd2NTlMqB7xJo=';

export const OWNER = { email: 'owner@acme.test', password: 'correct horse battery' };

/** A fresh PostgreSQL schema; dropped by the returned function. */
export async function freshSchema(): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = await openStorage({ databaseUrl: SERVICES.postgres.url, poolSize: 1 });
  await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin.db);
  await admin.close();
  return {
    schema,
    drop: async () => {
      const a = await openStorage({ databaseUrl: SERVICES.postgres.url, poolSize: 1 });
      await sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(a.db);
      await a.close();
    },
  };
}

interface StartOptions {
  /** PGlite data directory; in-memory when absent. */
  dataDir?: string;
  schema?: string;
  env?: Record<string, string>;
}

export async function startTestApp(kind: DbKind, options: StartOptions = {}): Promise<TestApp> {
  let schema = options.schema;
  let drop: (() => Promise<void>) | undefined;
  if (kind === 'postgres' && !schema) {
    const fresh = await freshSchema();
    schema = fresh.schema;
    drop = fresh.drop;
  }
  const config = loadConfig(
    {
      SWITCHBOARD_ADMIN_EMAIL: OWNER.email,
      SWITCHBOARD_ADMIN_PASSWORD: OWNER.password,
      SWITCHBOARD_JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
      SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY,
      LOG_LEVEL: 'silent',
      SMTP_PORT: '0',
      SMTP_HOST: '127.0.0.1',
      SIP_PORT: '0',
      SIP_HOST: '127.0.0.1',
      ...options.env,
    },
    {
      port: 0,
      host: '127.0.0.1',
      dataDir: options.dataDir as string,
      databaseUrl: kind === 'postgres' ? SERVICES.postgres.url : undefined,
    },
  );
  const sb = await createSwitchboard(config, {
    backgroundSends: false,
    logger: pino({ level: 'silent' }),
    ...(schema && { schema }),
  });
  await sb.server.app.ready();
  const app: TestApp = {
    sb,
    config,
    inject: (opts) => sb.server.app.inject(opts),
    async login(email, password) {
      const res = await sb.server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password },
      });
      if (res.statusCode !== 200) throw new Error(`login ${email} failed: ${res.statusCode} ${res.body}`);
      return `Bearer ${res.json().token}`;
    },
    async addTenant(slug) {
      const email = `owner@${slug}.test`;
      const password = 'another good password';
      const { tenant } = await createTenant(
        { db: sb.ctx.storage.db, outbox: sb.ctx.outbox },
        { slug, name: slug.toUpperCase(), owner: { email, password } },
      );
      return { tenantId: tenant.id, email, password, auth: await app.login(email, password) };
    },
    async restart() {
      await sb.close();
      return startTestApp(kind, { ...options, ...(schema && { schema }) }).then((next) => {
        const close = next.close;
        next.close = async () => {
          await close();
          await drop?.();
        };
        return next;
      });
    },
    async close() {
      await sb.close();
      await drop?.();
    },
  };
  return app;
}
