import type { Actor, Page, PageRequest } from '../core/index.js';
import { pageLimit, toPage } from '../core/index.js';
import { findInTenant, type StoreDeps } from '../storage/index.js';

/**
 * One customer's history across every channel, newest first: every message of every conversation,
 * marked where the customer moved to another channel, and every merge that joined another record
 * to this customer (or this one to another). Paged by id (UUIDv7, time-ordered), so a new entry
 * never shifts a page being read. Calls, tickets and surveys join as their modules arrive.
 */
export type TimelineEntry = MessageEntry | MergeEntry;

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
  const messages: TimelineEntry[] = rows.map((r) => ({
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
  }));
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
  return toPage(all.slice(0, limit + 1), limit, (e) => e);
}
