import {
  type Actor,
  actorTag,
  Conflict,
  newId,
  type Page,
  type PageRequest,
  pageLimit,
  toPage,
} from '../core/index.js';
import type { Row, StoreDeps } from '../storage/index.js';
import { findConversation } from './conversations.js';

export interface Message {
  id: string;
  conversationId: string;
  direction: 'in' | 'out';
  senderType: 'customer' | 'agent' | 'system' | 'bot';
  senderId: string | null;
  channelType: string;
  contentType: string;
  text: string;
  payload: Record<string, unknown>;
  idempotencyKey: string | null;
  /** queued → sent → delivered → read, or failed (then `deliveryError` says why); inbound: received. */
  deliveryStatus: string;
  deliveryError: string | null;
  createdAt: string;
}

export interface NewReply {
  text: string;
  contentType?: 'text' | undefined;
  payload?: Record<string, unknown> | undefined;
}

export function toMessage(row: Row<'messages'>): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    direction: row.direction,
    senderType: row.sender_type,
    senderId: row.sender_id,
    channelType: row.channel_type,
    contentType: row.content_type,
    text: row.text,
    payload: row.payload,
    idempotencyKey: row.idempotency_key,
    deliveryStatus: row.delivery_status,
    deliveryError: row.delivery_error,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Oldest first, so a transcript reads top to bottom and `id > cursor` pages forward. */
export async function listMessages(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  conversationId: string,
  req: PageRequest,
): Promise<Page<Message>> {
  await findConversation(db, actor.tenantId, conversationId);
  const limit = pageLimit(req);
  let q = db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', actor.tenantId)
    .where('conversation_id', '=', conversationId);
  if (req.cursor) q = q.where('id', '>', req.cursor);
  const rows = await q
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, toMessage);
}

/**
 * An agent's reply. On a conversation with a channel it is queued for delivery (`deliveries`) in
 * the same transaction; without one (created through the API with no channel) it is only stored.
 */
export async function postReply(deps: StoreDeps, actor: Actor, conversationId: string, input: NewReply) {
  return deps.outbox.transact(async (uow) => {
    const conversation = await findConversation(uow.trx, actor.tenantId, conversationId, true);
    if (conversation.status === 'closed') throw new Conflict(`conversation ${conversationId} is closed`);
    const now = new Date();
    const row = await uow.trx
      .insertInto('messages')
      .values({
        id: newId(),
        tenant_id: actor.tenantId,
        conversation_id: conversationId,
        direction: 'out',
        sender_type: 'agent',
        sender_id: actor.userId,
        channel_type: conversation.channel_type,
        content_type: input.contentType ?? 'text',
        text: input.text,
        payload: JSON.stringify(input.payload ?? {}),
        delivery_status: conversation.channel_id ? 'queued' : 'stored',
        channel_id: conversation.channel_id,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    // The durable send queue: the channel dispatcher picks this up after commit.
    if (conversation.channel_id) {
      await uow.trx
        .insertInto('deliveries')
        .values({
          message_id: row.id,
          tenant_id: actor.tenantId,
          channel_id: conversation.channel_id,
          next_attempt_at: now,
        })
        .execute();
    }
    await uow.trx
      .updateTable('conversations')
      .set({ last_message_at: now, updated_at: now })
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', conversationId)
      .execute();
    const message = toMessage(row);
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'message.created',
      aggregateType: 'conversation',
      aggregateId: conversationId,
      payload: {
        id: message.id,
        conversationId,
        customerId: conversation.customer_id,
        channelType: message.channelType,
        channelId: conversation.channel_id,
        senderId: message.senderId,
        text: message.text,
      },
      actor: actorTag(actor),
    });
    return message;
  });
}
