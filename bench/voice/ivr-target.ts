// The whole product as the voice benchmark's target: `createSwitchboard` (database, routing, the voice
// centre) with one tenant's queue, an IVR flow (a short synthesized prompt, then enqueue) and the number
// that answers with it. sipp dials that number from a new +86138… number per call, so each call resolves
// a new customer, is recorded as a voice conversation, becomes a routing task and waits in the queue
// with announcements and music until it hangs up (abandoned).
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { createSwitchboard, type Switchboard } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { systemActor } from '../../src/core/index.js';
import type { VoiceConfig } from '../../src/voice/index.js';
import { freshSchema, TEST_MASTER_KEY } from '../../test/support/app.js';
import { SERVICES } from '../../test/support/services.js';
import { MAX_CALLS, type QueueCounts, type Target, UNLIMITED } from './target.js';

/** The number sipp dials (`-s`). */
export const IVR_NUMBER = '+864001234567';
export const IVR_PROMPT = '您好，欢迎致电。';
const OWNER = { email: 'bench@switchboard.test', password: 'bench password 1234' };
const SCENARIO = path.join(import.meta.dirname, 'caller-ivr.xml');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Is PostgreSQL listening where the tests expect it? */
export function postgresReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: SERVICES.postgres.host, port: SERVICES.postgres.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A pino destination that counts warnings by message instead of printing them. */
function countingLogger(warnings: Map<string, number>) {
  return pino(
    { level: 'warn' },
    {
      write(line: string) {
        let key = line.slice(0, 160);
        try {
          const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
          key = `${entry.msg ?? '?'}${entry.err?.message ? ` (${entry.err.message.slice(0, 100)})` : ''}`;
        } catch {
          // not JSON: keep the raw line
        }
        if (warnings.size < 50 || warnings.has(key)) warnings.set(key, (warnings.get(key) ?? 0) + 1);
      },
    },
  );
}

async function api(sb: Switchboard, auth: string, method: 'POST' | 'PUT', url: string, payload: unknown) {
  const res = await sb.server.app.inject({
    method,
    url,
    payload: payload as object,
    headers: { authorization: auth },
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as { id?: string; token?: string };
}

/** Owner login, a queue, the flow (prompt → enqueue) and the number; returns the tenant id. */
async function provision(sb: Switchboard): Promise<string> {
  const login = await sb.server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
  const auth = `Bearer ${(login.json() as { token: string }).token}`;
  const queue = await api(sb, auth, 'POST', '/api/v1/queues', { name: '热线' });
  const flow = await api(sb, auth, 'POST', '/api/v1/ivr/flows', {
    name: '热线',
    definition: {
      entry: 'welcome',
      nodes: [
        { id: 'welcome', type: 'play', prompt: { text: IVR_PROMPT, language: 'zh-CN' }, next: 'queue' },
        { id: 'queue', type: 'enqueue', queueId: queue.id },
      ],
    },
  });
  await api(sb, auth, 'PUT', `/api/v1/ivr/numbers/${IVR_NUMBER}`, { flowId: flow.id });
  const tenant = await sb.ctx.storage.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow();
  // The flow's prompt is synthesized once and cached: pay it here, not in the first step.
  await sb.ctx.prompts.speak({ text: IVR_PROMPT, language: 'zh-CN' });
  return tenant.id;
}

/**
 * Switchboard as a whole on PGlite (on disk in a temporary DATA_DIR) or on PostgreSQL (a fresh schema
 * of the test database).
 */
export async function startIvrSwitchboard(database: 'pglite' | 'postgres'): Promise<Target> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-bench-voice-'));
  const fresh = database === 'postgres' ? await freshSchema() : undefined;
  const cleanup = async () => {
    await rm(dataDir, { recursive: true, force: true });
    await fresh?.drop();
  };
  const base = loadConfig(
    {
      LOG_LEVEL: 'warn',
      SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY,
      SWITCHBOARD_ADMIN_EMAIL: OWNER.email,
      SWITCHBOARD_ADMIN_PASSWORD: OWNER.password,
      SMTP_PORT: '0',
      SMTP_HOST: '127.0.0.1',
      SIP_PORT: '0',
      SIP_HOST: '127.0.0.1',
      DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '10',
    },
    {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      databaseUrl: database === 'postgres' ? SERVICES.postgres.url : undefined,
    },
  );
  // sipp is one source address: SIP's per-source limits are lifted (SIP_INVITE_RATE and SIP_MAX_CALLS for
  // an operator; the bad-message budget has no variable and rides along on `config.voice`, which app.ts
  // hands to startVoice as it is).
  const voiceConfig: Config['voice'] & VoiceConfig = {
    ...base.voice,
    inviteRate: UNLIMITED,
    errorRate: UNLIMITED,
    maxCalls: MAX_CALLS,
  };
  const warnings = new Map<string, number>();
  const sb = await createSwitchboard(
    { ...base, voice: voiceConfig },
    { logger: countingLogger(warnings), backgroundSends: false, ...(fresh && { schema: fresh.schema }) },
  ).catch(async (err: unknown) => {
    await cleanup();
    throw err;
  });
  const close = async () => {
    try {
      await sb.close();
    } finally {
      await cleanup();
    }
  };
  try {
    const voice = sb.voice;
    const center = sb.ctx.voice;
    if (!voice || !center) throw new Error('voice did not start');
    await sb.server.app.ready();
    const tenantId = await provision(sb);
    const actor = systemActor(tenantId);
    const db = sb.ctx.storage.db;
    let next = 1;
    const counts = async (): Promise<QueueCounts> => {
      const tasks = await db
        .selectFrom('routing_tasks')
        .select(sql<string>`count(*)`.as('n'))
        .where('tenant_id', '=', tenantId)
        .where('channel', '=', 'voice')
        .executeTakeFirstOrThrow();
      const events = await db
        .selectFrom('events')
        .select(sql<string>`count(*)`.as('n'))
        .where('tenant_id', '=', tenantId)
        .where('type', '=', 'call.queued')
        .executeTakeFirstOrThrow();
      const customers = await db
        .selectFrom('customers')
        .select(sql<string>`count(*)`.as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return {
        tasks: Number(tasks.n),
        customers: Number(customers.n),
        queuedEvents: Number(events.n),
        synthesized: sb.ctx.prompts.stats.synthesized,
      };
    };
    return {
      label: `Switchboard, IVR → queue (${database === 'postgres' ? 'PostgreSQL' : 'PGlite'})`,
      port: voice.sipPort,
      voice,
      // PGlite runs every query on the main thread, one at a time: it sets calls up far slower.
      rampRate: database === 'postgres' ? 25 : 10,
      warnings,
      scenario(calls) {
        // One caller number per call, never used before in this database: +86 138 0000 0001, …
        const file = path.join(dataDir, `callers-${next}.csv`);
        const lines = ['SEQUENTIAL'];
        for (let i = 0; i < calls; i++) lines.push(`+86138${String(next + i).padStart(8, '0')}`);
        next += calls;
        writeFileSync(file, `${lines.join('\n')}\n`);
        return ['-sf', SCENARIO, '-inf', file, '-s', IVR_NUMBER];
      },
      active: () => center.list(actor).filter((c) => c.state === 'queued').length,
      counts,
      async settle() {
        const deadline = performance.now() + 90_000;
        let last = '';
        let stableSince = performance.now();
        while (performance.now() < deadline) {
          const now = JSON.stringify(await counts());
          const idle = voice.calls.calls.length === 0 && center.list(actor).length === 0;
          if (now !== last || !idle) {
            last = now;
            stableSince = performance.now();
          } else if (performance.now() - stableSince > 1500) return true;
          await sleep(250);
        }
        return false;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
