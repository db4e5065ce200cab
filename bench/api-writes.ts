// API write throughput: customer messages in and agent replies out, over real HTTP against the real app,
// on PGlite (on disk, as in production) and on PostgreSQL. Figures go to docs/benchmarks.md.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { createSwitchboard, type Switchboard } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';
import type { Db } from '../src/storage/index.js';
import { freshSchema } from '../test/support/app.js';
import { SERVICES } from '../test/support/services.js';

// autocannon ships no types; this is the part of its programmatic API we use.
type LoadRequest = { method: string; path: string; headers: Record<string, string>; body: string };
interface LoadOptions {
  url: string;
  connections: number;
  amount: number;
  headers: Record<string, string>;
  requests: { method: 'POST'; setupRequest: (req: LoadRequest) => LoadRequest }[];
}
export interface LoadResult {
  latency: { p50: number; p97_5: number; p99: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface Tracker extends PromiseLike<LoadResult> {
  on(event: 'response', listener: () => void): void;
  stop(): void;
}
export const autocannon = createRequire(import.meta.url)('autocannon') as (opts: LoadOptions) => Tracker;

const TEXTS = ['你好，我的订单还没到。', 'Where is my order?', '可以退款吗？', 'Can I change my address?'];
const OWNER = { email: 'bench@switchboard.test', password: 'bench password 1234' };
/** No phase may run longer than this; a phase that does is stopped and reported. */
const CAP_SECONDS = 90;

export interface ApiWritesOptions {
  quick: boolean;
  log: (line: string) => void;
}
/** What a run reports back: the options plus every problem found so far. */
type Ctx = ApiWritesOptions & { problems: string[] };

export interface BenchOutput {
  markdown: string;
  problems: string[];
}

export interface Target {
  label: string;
  sb: Switchboard;
  url: string;
  auth: string;
  version: string;
  close(): Promise<void>;
}

/** One kind of write; `next` builds the next request and is shared by every connection. */
interface Scenario {
  name: string;
  direction: 'in' | 'out';
  next(): { path: string; body: string };
}

interface Run {
  result: LoadResult;
  seconds: number;
  perSecond: number;
  rows: number;
  pending: number;
  flushMs: number;
  capped: boolean;
}

type Measured = Run & { database: string; scenario: string; connections: number };

async function startTarget(
  label: string,
  overrides: Partial<Config>,
  schema: string | undefined,
  cleanup: () => Promise<void>,
): Promise<Target> {
  const env = {
    LOG_LEVEL: 'silent',
    SWITCHBOARD_ADMIN_EMAIL: OWNER.email,
    SWITCHBOARD_ADMIN_PASSWORD: OWNER.password,
  };
  const config = loadConfig(env, {
    port: 0,
    host: '127.0.0.1',
    smtpPort: 0,
    smtpHost: '127.0.0.1',
    ...overrides,
  });
  const sb = await createSwitchboard(config, schema ? { schema } : {}).catch(async (err: unknown) => {
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
    const url = await sb.listen();
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(OWNER),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    const { token } = (await res.json()) as { token: string };
    const v = await sql<{ version: string }>`select version()`.execute(sb.ctx.storage.db);
    return { label, sb, url, auth: `Bearer ${token}`, version: v.rows[0]?.version ?? '?', close };
  } catch (err) {
    await close();
    throw err;
  }
}

export async function startPGlite(): Promise<Target> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-bench-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  return startTarget('PGlite', { dataDir: dir, databaseUrl: undefined }, undefined, cleanup);
}

export async function startPostgres(): Promise<Target> {
  const { schema, drop } = await freshSchema();
  return startTarget('PostgreSQL', { databaseUrl: SERVICES.postgres.url }, schema, drop);
}

/** Customer `i % customers` writes in over web chat; keys are unique, so nothing is a redelivery. */
function inbound(name: string, customers: number): Scenario {
  const run = randomUUID();
  let n = 0;
  return {
    name,
    direction: 'in',
    next() {
      const i = n++;
      const visitor = i % customers;
      const body = {
        channelType: 'webchat',
        identity: { kind: 'device', value: `bench-visitor-${visitor}` },
        displayName: `Visitor ${visitor}`,
        text: TEXTS[i % TEXTS.length],
        idempotencyKey: `${run}-${i}`,
      };
      return { path: '/api/v1/messages/inbound', body: JSON.stringify(body) };
    },
  };
}

function reply(conversationIds: string[]): Scenario {
  let n = 0;
  return {
    name: 'agent reply',
    direction: 'out',
    next() {
      const i = n++;
      const id = conversationIds[i % conversationIds.length];
      const body = JSON.stringify({ text: TEXTS[i % TEXTS.length] });
      return { path: `/api/v1/conversations/${id}/messages`, body };
    },
  };
}

async function count(db: Db, table: 'messages' | 'outbox', direction?: 'in' | 'out'): Promise<number> {
  let q = db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n'));
  if (direction) q = q.where('direction', '=', direction);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/**
 * Sends exactly `amount` requests: the run ends when the last answer is in, so no request is
 * cut off in flight and every 2xx must match one new message row. (The outbox relay deletes a
 * row once its event is on the bus, so the outbox count is what is still unpublished.)
 */
async function drive(target: Target, scenario: Scenario, connections: number, amount: number): Promise<Run> {
  const db = target.sb.ctx.storage.db;
  const before = await count(db, 'messages', scenario.direction);
  const started = performance.now();
  let last = started;
  const tracker = autocannon({
    url: target.url,
    connections,
    amount: Math.max(amount, connections),
    headers: { authorization: target.auth, 'content-type': 'application/json' },
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, ...scenario.next() }) }],
  });
  tracker.on('response', () => {
    last = performance.now();
  });
  let capped = false;
  const cap = setTimeout(() => {
    capped = true;
    tracker.stop();
  }, CAP_SECONDS * 1000);
  const result = await tracker;
  clearTimeout(cap);
  const pending = await count(db, 'outbox');
  const flushStarted = performance.now();
  await target.sb.ctx.outbox.flush();
  const flushMs = performance.now() - flushStarted;
  // A capped run cut requests off; give the server a moment to finish them before counting.
  if (capped) await sleep(2000);
  const rows = (await count(db, 'messages', scenario.direction)) - before;
  const seconds = (last - started) / 1000;
  return { result, seconds, perSecond: result['2xx'] / seconds, rows, pending, flushMs, capped };
}

function check(what: string, run: Run, ctx: Ctx): void {
  const r = run.result;
  const found: string[] = [];
  if (run.capped) found.push(`stopped after ${CAP_SECONDS} s; requests were cut off`);
  if (r.non2xx > 0) found.push(`${r.non2xx} non-2xx responses ${JSON.stringify(r.statusCodeStats)}`);
  if (r.errors > 0 || r.timeouts > 0) found.push(`${r.errors} connection errors, ${r.timeouts} timeouts`);
  if (run.rows !== r['2xx']) found.push(`${run.rows} message rows written for ${r['2xx']} 2xx responses`);
  for (const f of found) {
    ctx.problems.push(`${what}: ${f}`);
    ctx.log(`\n!!!!!!!! WARNING: ${what}: ${f} !!!!!!!!\n`);
  }
}

/** A short probe, a warm-up of about `warm` seconds, then a run sized to last about `seconds`. */
async function measure(target: Target, scenario: Scenario, connections: number, ctx: Ctx): Promise<Measured> {
  const [warm, seconds] = ctx.quick ? [1, 3] : [2, 10];
  const what = `${target.label} ${scenario.name} c=${connections}`;
  ctx.log(`${what}: ${warm} s warm-up, ${seconds} s run`);
  const probe = await drive(target, scenario, connections, connections * 10);
  check(`${what} (probe)`, probe, ctx);
  const warmed = await drive(target, scenario, connections, Math.round(probe.perSecond * warm));
  check(`${what} (warm-up)`, warmed, ctx);
  const run = await drive(target, scenario, connections, Math.round(warmed.perSecond * seconds));
  check(what, run, ctx);
  return { database: target.label, scenario: scenario.name, connections, ...run };
}

async function benchTarget(target: Target, connections: number[], ctx: Ctx): Promise<Measured[]> {
  const customers = ctx.quick ? 200 : 1000;
  const out: Measured[] = [];
  // Each customer's first message creates the customer and opens a conversation; later ones continue it.
  const first = inbound(`first message (${customers} new customers)`, customers);
  const c = connections[0] ?? 10;
  ctx.log(`${target.label} ${first.name} c=${c}`);
  const seeded = await drive(target, first, c, customers);
  check(`${target.label} ${first.name}`, seeded, ctx);
  out.push({ database: target.label, scenario: first.name, connections: c, ...seeded });
  const next = inbound(`customer message (continues conversation)`, customers);
  for (const c of connections) out.push(await measure(target, next, c, ctx));
  const open = target.sb.ctx.storage.db.selectFrom('conversations').select('id').where('status', '=', 'open');
  const ids = (await open.execute()).map((r) => r.id);
  if (ids.length !== customers)
    throw new Error(`${target.label}: ${ids.length} open conversations, not ${customers}`);
  for (const c of connections) out.push(await measure(target, reply(ids), c, ctx));
  return out;
}

function table(rows: Measured[]): string {
  const head = [
    '| database | write | conn. | requests | s | req/s | p50 ms | p97.5 ms | p99 ms | non-2xx | rows = 2xx | outbox left | flush ms |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|--:|--:|',
  ];
  const lines = rows.map((m) => {
    const { latency: l, non2xx, '2xx': ok } = m.result;
    const rowsOk = m.rows === ok ? '✓' : `✗ ${m.rows}`;
    return `| ${m.database} | ${m.scenario} | ${m.connections} | ${ok + non2xx} | ${m.seconds.toFixed(1)} | ${m.perSecond.toFixed(0)} | ${l.p50} | ${l.p97_5} | ${l.p99} | ${non2xx} | ${rowsOk} | ${m.pending} | ${m.flushMs.toFixed(0)} |`;
  });
  return [...head, ...lines].join('\n');
}

export async function runApiWrites(opts: ApiWritesOptions): Promise<BenchOutput> {
  const ctx: Ctx = { ...opts, problems: [] };
  const versions: string[] = [];
  const rows: Measured[] = [];
  const plans: [string, () => Promise<Target>, number[]][] = [
    ['PGlite', startPGlite, [10]],
    ['PostgreSQL', startPostgres, [10, 50]],
  ];
  for (const [label, start, connections] of plans) {
    let target: Target;
    try {
      target = await start();
    } catch (err) {
      const line = `${label}: could not start (${err instanceof Error ? err.message : String(err)}); skipped`;
      ctx.problems.push(line);
      ctx.log(`\n!!!!!!!! WARNING: ${line}\n  to start PostgreSQL: ${SERVICES.postgres.start}\n`);
      continue;
    }
    versions.push(`- ${label}: \`${target.version}\``);
    try {
      rows.push(...(await benchTarget(target, connections, ctx)));
    } finally {
      await target.close();
    }
  }
  return { markdown: ['## API writes', '', ...versions, '', table(rows)].join('\n'), problems: ctx.problems };
}
