// Inbound webhook → committed message → event published, over real HTTP against the real app:
// a Telegram-shaped update per request (signed with the secret-token header), on PGlite (on disk)
// and on PostgreSQL. HTTP latency is receipt to acknowledgement, which the gateway sends only after
// the commit; publish lag is the event's commit-time stamp to its arrival at a bus subscriber.
import { performance } from 'node:perf_hooks';
import { type Subscription, subjectMatches } from '../src/bus/index.js';
import { autocannon, type BenchOutput, startPGlite, startPostgres, type Target } from './api-writes.js';

const TG = { botToken: '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', secretToken: 'bench-secret' };
const TEXTS = [
  '你好，我的订单 SO20261120-8841 还没到',
  'Where is my parcel? Order AB12345678-901',
  '可以退款吗？¥329.00',
  'I was charged twice',
];

interface Options {
  quick: boolean;
  log: (line: string) => void;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function measure(target: Target, opts: Options, connections: number) {
  const created = await fetch(`${target.url}/api/v1/channels`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: target.auth },
    body: JSON.stringify({ type: 'telegram', name: `bench ${connections}`, config: TG }),
  });
  const { webhookUrl, id: channelId } = (await created.json()) as { webhookUrl: string; id: string };
  const lags: number[] = [];
  // Distinct events of this channel: the outbox is at-least-once, and a duplicate must not pass for a message.
  const receivedIds = new Set<string>();
  let duplicates = 0;
  const sub: Subscription = await target.sb.ctx.bus.subscribe({
    pattern: 'sb.>',
    handler: (e) => {
      if (!subjectMatches('message.received', e.type)) return;
      if ((e.payload as { channelId?: unknown }).channelId !== channelId) return;
      if (receivedIds.has(e.id)) {
        duplicates++;
        return;
      }
      receivedIds.add(e.id);
      lags.push(Date.now() - Date.parse(e.occurredAt));
    },
  });
  const seconds = opts.quick ? 3 : 10;
  let n = 0;
  const base = 100_000_000 + connections * 10_000_000;
  const started = performance.now();
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG.secretToken },
    requests: [
      {
        method: 'POST',
        setupRequest: (req: Record<string, unknown>) => {
          const i = n++;
          const from = {
            id: 6000000000 + (i % 500),
            is_bot: false,
            first_name: '客户',
            last_name: String(i % 500),
          };
          const update = {
            update_id: base + i,
            message: {
              message_id: i,
              from,
              chat: { ...from, type: 'private' },
              date: 1764000000,
              text: TEXTS[i % TEXTS.length],
            },
          };
          return { ...req, path: webhookUrl, body: JSON.stringify(update) };
        },
      },
    ],
  } as never);
  const elapsed = (performance.now() - started) / 1000;
  // Requests still in flight when the run's time is up are committed but their answers are not
  // counted by autocannon; the database is the truth for what was stored, once it stops growing.
  const db = target.sb.ctx.storage.db;
  const count = async () =>
    Number(
      (
        await db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('channel_id', '=', channelId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  let stored = await count();
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const again = await count();
    if (again === stored) break;
    stored = again;
  }
  await target.sb.ctx.outbox.flush();
  const deadline = Date.now() + 10_000;
  while (receivedIds.size < stored && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const received = receivedIds.size;
  await sub.unsubscribe();
  lags.sort((a, b) => a - b);
  return {
    connections,
    ok: result['2xx'],
    stored,
    bad: result.non2xx,
    perSecond: stored / elapsed,
    p50: result.latency.p50,
    p99: result.latency.p99,
    published: received,
    duplicates,
    lag50: percentile(lags, 50),
    lag99: percentile(lags, 99),
  };
}

export async function runWebhookIngest(opts: Options): Promise<BenchOutput> {
  const problems: string[] = [];
  const rows: string[] = [];
  for (const [label, start, conns] of [
    ['PGlite', startPGlite, [10]],
    ['PostgreSQL', startPostgres, [10, 50]],
  ] as const) {
    const target = await start();
    try {
      for (const c of conns) {
        opts.log(`webhook ingest: ${label} c=${c}`);
        const r = await measure(target, opts, c);
        if (r.bad > 0) problems.push(`webhook ingest ${label} c=${c}: ${r.bad} requests failed`);
        if (r.published !== r.stored || r.stored < r.ok || r.duplicates > 0) {
          problems.push(
            `webhook ingest ${label} c=${c}: ${r.ok} acknowledged, ${r.stored} stored, ${r.published} published, ${r.duplicates} delivered twice`,
          );
        }
        rows.push(
          `| ${label} | ${c} | ${r.stored} | ${r.perSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.published} | ${r.lag50} | ${r.lag99} |`,
        );
      }
    } finally {
      await target.close();
    }
  }
  const markdown = [
    '## Inbound webhook → committed message → event published',
    '',
    'Telegram-shaped updates, each a new provider id (so each commits a message; customers spread over 500 senders), through signature check, parsing, structured-field extraction, customer resolution, conversation continuation, one transaction, acknowledgement, and the outbox relay to the bus.',
    '',
    '| database | conn. | messages | msg/s | HTTP p50 ms | HTTP p99 ms | events published | publish lag p50 ms | publish lag p99 ms |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows,
  ].join('\n');
  return { markdown, problems };
}
