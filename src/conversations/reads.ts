import { sql } from 'kysely';
import { type Actor, actorTag, InvalidInput } from '../core/index.js';
import { findInTenant, type StoreDeps } from '../storage/index.js';

/**
 * Read markers: per user and conversation, how far they have read. Unread is the number of the
 * customer's messages after the marker, compared by message id (time-ordered), never by the time a
 * provider stamped on a message.
 */

/** Matches no user: system callers have no read markers. */
export const NO_USER = '00000000-0000-0000-0000-000000000000';

/**
 * The unread count of conversation `c` for the marker `r` (left-joined; no row: nothing read). A
 * correlated count over `messages_conversation_idx`, so a page of conversations is one statement.
 */
export const unreadCount = sql<string | number>`(
  SELECT count(*) FROM messages m
  WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id AND m.direction = 'in'
    AND (r.last_message_id IS NULL OR m.id > r.last_message_id)
)`.as('unread');

export interface ReadMarker {
  conversationId: string;
  userId: string;
  lastReadAt: string;
  /** The newest message when marked; null when the conversation had none. */
  lastMessageId: string | null;
}

/** Marks everything in the conversation read by the caller, up to now. */
export async function markRead(deps: StoreDeps, actor: Actor, conversationId: string): Promise<ReadMarker> {
  const userId = actor.userId;
  if (!userId) throw new InvalidInput('only a signed-in user has read markers', 'user');
  return deps.outbox.transact(async (uow) => {
    await findInTenant(uow.trx, 'conversations', actor.tenantId, conversationId, { entity: 'conversation' });
    const newest = await uow.trx
      .selectFrom('messages')
      .select('id')
      .where('tenant_id', '=', actor.tenantId)
      .where('conversation_id', '=', conversationId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const now = new Date();
    const values = { last_read_at: now, last_message_id: newest?.id ?? null };
    await uow.trx
      .insertInto('conversation_reads')
      .values({ tenant_id: actor.tenantId, user_id: userId, conversation_id: conversationId, ...values })
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id', 'conversation_id']).doUpdateSet(values))
      .execute();
    const marker = {
      conversationId,
      userId,
      lastReadAt: now.toISOString(),
      lastMessageId: values.last_message_id,
    };
    // Other tabs and devices of the same user clear their badges from this.
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'conversation.read',
      aggregateType: 'conversation',
      aggregateId: conversationId,
      payload: marker,
      actor: actorTag(actor),
    });
    return marker;
  });
}
