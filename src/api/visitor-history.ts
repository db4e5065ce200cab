import type { IdentityRef } from '../identity/index.js';
import type { Db } from '../storage/index.js';

/**
 * What a first-party client (web chat widget, mobile app) shows on load: the customer's messages on
 * this channel, both directions, in the same shape as the socket's `message` frames. Only what the
 * customer sent or was sent: no agent ids, no internal payload.
 */
export interface HistoryItem {
  id: string;
  direction: 'in' | 'out';
  senderType: string;
  contentType: string;
  text: string;
  media?: unknown[];
  quickReplies?: unknown[];
  /** Outbound: queued, sent, delivered, read or failed. */
  status?: string;
  createdAt: string;
}

export interface HistoryQuery {
  /** Messages newer than this id, oldest first (catching up after a reconnect). */
  after?: string | undefined;
  /** Messages older than this id; without `after`, the newest page (scrolling back). */
  before?: string | undefined;
  limit: number;
}

export interface HistoryPage {
  /** Oldest first. */
  items: HistoryItem[];
  /** More exist beyond this page: newer ones with `after`, older ones otherwise. */
  hasMore: boolean;
}

export async function customerHistory(
  db: Db,
  tenantId: string,
  channelId: string,
  identity: IdentityRef,
  q: HistoryQuery,
): Promise<HistoryPage> {
  const owner = await db
    .selectFrom('identities')
    .select('customer_id')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', identity.kind)
    .where('value', '=', identity.value)
    .executeTakeFirst();
  if (!owner) return { items: [], hasMore: false };
  let query = db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', (j) =>
      j.onRef('c.id', '=', 'm.conversation_id').onRef('c.tenant_id', '=', 'm.tenant_id'),
    )
    .select(['m.id', 'm.direction', 'm.sender_type', 'm.content_type', 'm.text', 'm.payload'])
    .select(['m.delivery_status', 'm.created_at'])
    .where('m.tenant_id', '=', tenantId)
    .where('c.customer_id', '=', owner.customer_id)
    .where('m.channel_id', '=', channelId)
    .where('m.sender_type', 'in', ['customer', 'agent', 'bot']);
  if (q.after) query = query.where('m.id', '>', q.after);
  else if (q.before) query = query.where('m.id', '<', q.before);
  const rows = await query
    .orderBy('m.id', q.after ? 'asc' : 'desc')
    .limit(q.limit + 1)
    .execute();
  const hasMore = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  if (!q.after) page.reverse();
  return {
    hasMore,
    items: page.map((r) => {
      const payload = (r.payload ?? {}) as { media?: unknown; quickReplies?: unknown };
      return {
        id: r.id,
        direction: r.direction,
        senderType: r.sender_type,
        contentType: r.content_type,
        text: r.text,
        ...(Array.isArray(payload.media) && { media: payload.media }),
        ...(Array.isArray(payload.quickReplies) && { quickReplies: payload.quickReplies }),
        ...(r.direction === 'out' && { status: r.delivery_status }),
        createdAt: new Date(r.created_at).toISOString(),
      };
    }),
  };
}
