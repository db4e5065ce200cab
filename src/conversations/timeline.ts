import { sql } from 'kysely';
import type { Actor, Page, PageRequest } from '../core/index.js';
import { pageLimit, toPage } from '../core/index.js';
import { findInTenant, type StoreDeps } from '../storage/index.js';

/**
 * One customer's history across every channel, newest first: every message of every conversation,
 * marked where the customer moved to another channel, and every merge that joined another record
 * to this customer (or this one to another), and every phone call with its IVR path. Paged by id
 * (UUIDv7, time-ordered), so a new entry never shifts a page being read. Tickets and surveys join
 * as their modules arrive.
 */
export type TimelineEntry = MessageEntry | MergeEntry | CallEntry;

/** A phone call (a message of content type `call`): who called which number, and its way through the IVR. */
export interface CallEntry {
  id: string;
  kind: 'call';
  at: string;
  conversationId: string;
  conversationStatus: string;
  channelType: string;
  /** in: the customer called; out: an agent called the customer. */
  direction: 'in' | 'out';
  text: string;
  from: string;
  to: string;
  /** enqueue, transfer, hangup, abandoned or failed: how the IVR ended. */
  outcome: string;
  /** The IVR nodes in order, with the digits entered and the time spent at each. */
  ivrPath: CallPathStep[];
  /** What happened to the call after the IVR: queued, connected to an agent, held, transferred, ended. */
  events: CallEvent[];
}

/** One step of a call's life after the IVR (the `call.*` events call control records). */
export interface CallEvent {
  type: string;
  at: string;
  agentId?: string | undefined;
  queueId?: string | undefined;
  cause?: string | undefined;
  to?: string | undefined;
  /** ended, held, transferred: who did it (a user id, 'caller' or 'system'). */
  by?: string | undefined;
}

/** The aggregate type call control records call events under, by conversation id. */
export const CALL_AGGREGATE = 'call';

/** One IVR node the call went through (the voice module's PathStep, as stored with the call). */
export interface CallPathStep {
  nodeId: string;
  type: string;
  at: number;
  ms: number;
  digits?: string[] | undefined;
  result?: string | undefined;
  next?: string | undefined;
  error?: string | undefined;
}

function callEntry(r: {
  id: string;
  created_at: Date | string;
  conversation_id: string;
  status: string;
  channel_type: string;
  text: string;
  call_payload: Record<string, unknown> | null;
}): CallEntry {
  const payload = r.call_payload ?? {};
  const call = (payload.call ?? {}) as { from?: unknown; to?: unknown; direction?: unknown };
  const ivr = (payload.ivr ?? {}) as { outcome?: { type?: unknown }; path?: unknown };
  return {
    id: r.id,
    kind: 'call',
    at: new Date(r.created_at).toISOString(),
    conversationId: r.conversation_id,
    conversationStatus: r.status,
    channelType: r.channel_type,
    direction: call.direction === 'out' ? 'out' : 'in',
    text: r.text,
    from: String(call.from ?? ''),
    to: String(call.to ?? ''),
    outcome: String(ivr.outcome?.type ?? 'unknown'),
    ivrPath: Array.isArray(ivr.path) ? (ivr.path as CallPathStep[]) : [],
    events: [],
  };
}

/** The call events of the calls on a page, oldest first, in one query. */
async function attachCallEvents(
  db: StoreDeps['db'],
  tenantId: string,
  entries: TimelineEntry[],
): Promise<void> {
  const calls = entries.filter((e): e is CallEntry => e.kind === 'call');
  if (!calls.length) return;
  const rows = await db
    .selectFrom('events')
    .select(['aggregate_id', 'type', 'payload', 'occurred_at'])
    .where('tenant_id', '=', tenantId)
    .where('aggregate_type', '=', CALL_AGGREGATE)
    .where(
      'aggregate_id',
      'in',
      calls.map((c) => c.conversationId),
    )
    .orderBy('seq')
    .execute();
  for (const r of rows) {
    const p = (r.payload ?? {}) as Record<string, unknown>;
    const text = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
    const event: CallEvent = {
      type: r.type.replace(/^call\./, ''),
      at: text('at') ?? new Date(r.occurred_at).toISOString(),
      agentId: text('agentId'),
      queueId: text('queueId'),
      cause: text('cause'),
      to: text('to'),
      by: text('by'),
    };
    for (const c of calls) if (c.conversationId === r.aggregate_id) c.events.push(event);
  }
}

export interface MergeEntry {
  id: string;
  kind: 'merge';
  at: string;
  mergeId: string;
  /** This customer absorbed the other ('survivor'), or was absorbed ('merged'). */
  role: 'survivor' | 'merged';
  otherCustomerId: string;
  confidence: number;
  /** manual, deterministic or probabilistic. */
  source: string;
  status: 'active' | 'undone';
  undoneAt: string | null;
}

export interface MessageEntry {
  id: string;
  kind: 'message';
  at: string;
  conversationId: string;
  conversationStatus: string;
  channelType: string;
  channelId: string | null;
  direction: 'in' | 'out';
  senderType: string;
  contentType: string;
  text: string;
  deliveryStatus: string;
  /** The conversation continued on another channel than its previous message. */
  channelChanged: boolean;
}

export async function customerTimeline(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  customerId: string,
  req: PageRequest,
): Promise<Page<TimelineEntry>> {
  await findInTenant(db, 'customers', actor.tenantId, customerId, { entity: 'customer' });
  const limit = pageLimit(req);
  let q = db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', (j) =>
      j.onRef('c.id', '=', 'm.conversation_id').onRef('c.tenant_id', '=', 'm.tenant_id'),
    )
    .select([
      'm.id',
      'm.created_at',
      'm.conversation_id',
      'c.status',
      'm.channel_type',
      'm.channel_id',
      'm.direction',
      'm.sender_type',
      'm.content_type',
      'm.text',
      'm.delivery_status',
      // Only a call's payload (its IVR path) is read; an e-mail's headers stay in the table.
      sql<Record<string, unknown> | null>`CASE WHEN m.content_type = 'call' THEN m.payload END`.as(
        'call_payload',
      ),
    ])
    .select((eb) =>
      // The channel of the message before this one in the same conversation, to mark a change.
      eb
        .selectFrom('messages as p')
        .select('p.channel_type')
        .whereRef('p.conversation_id', '=', 'm.conversation_id')
        .whereRef('p.id', '<', 'm.id')
        .orderBy('p.id', 'desc')
        .limit(1)
        .as('previous_channel'),
    )
    .where('m.tenant_id', '=', actor.tenantId)
    .where('c.customer_id', '=', customerId);
  if (req.cursor) q = q.where('m.id', '<', req.cursor);
  let mq = db
    .selectFrom('customer_merges')
    .selectAll()
    .where('tenant_id', '=', actor.tenantId)
    .where((eb) => eb.or([eb('survivor_id', '=', customerId), eb('merged_id', '=', customerId)]));
  if (req.cursor) mq = mq.where('id', '<', req.cursor);
  const [rows, merges] = await Promise.all([
    q
      .orderBy('m.id', 'desc')
      .limit(limit + 1)
      .execute(),
    mq
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute(),
  ]);
  const messages: TimelineEntry[] = rows.map((r) =>
    r.content_type === 'call'
      ? callEntry(r)
      : {
          id: r.id,
          kind: 'message' as const,
          at: new Date(r.created_at).toISOString(),
          conversationId: r.conversation_id,
          conversationStatus: r.status,
          channelType: r.channel_type,
          channelId: r.channel_id,
          direction: r.direction,
          senderType: r.sender_type,
          contentType: r.content_type,
          text: r.text,
          deliveryStatus: r.delivery_status,
          channelChanged: r.previous_channel !== null && r.previous_channel !== r.channel_type,
        },
  );
  const mergeEntries: TimelineEntry[] = merges.map((m) => ({
    id: m.id,
    kind: 'merge' as const,
    at: new Date(m.created_at).toISOString(),
    mergeId: m.id,
    role: m.survivor_id === customerId ? ('survivor' as const) : ('merged' as const),
    otherCustomerId: m.survivor_id === customerId ? m.merged_id : m.survivor_id,
    confidence: m.confidence,
    source: String((m.evidence as { source?: unknown }).source ?? 'manual'),
    status: m.status,
    undoneAt: m.undone_at ? new Date(m.undone_at).toISOString() : null,
  }));
  // Both lists are newest first; the page is the newest `limit + 1` of their union.
  const all = [...messages, ...mergeEntries].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const page = all.slice(0, limit + 1);
  await attachCallEvents(db, actor.tenantId, page);
  return toPage(page, limit, (e) => e);
}
