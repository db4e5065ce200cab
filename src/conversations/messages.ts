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
import { type IdentityRef, resolveCustomerByIdentity } from '../identity/index.js';
import { isUniqueViolation, type Row, type StoreDeps, type Trx } from '../storage/index.js';
import {
  assertChannel,
  type Conversation,
  findConversation,
  openConversation,
  toConversation,
} from './conversations.js';

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
  deliveryStatus: string;
  createdAt: string;
}

export interface NewReply {
  text: string;
  contentType?: 'text' | undefined;
  payload?: Record<string, unknown> | undefined;
}

export interface InboundMessage {
  channelType: string;
  channelId?: string | undefined;
  identity: IdentityRef;
  displayName?: string | undefined;
  text: string;
  /** The provider's message id, or anything else that is the same on every redelivery. */
  idempotencyKey: string;
  /** When the customer sent it, if the channel says; otherwise when we received it. */
  occurredAt?: string | undefined;
}

export interface Received {
  message: Message;
  conversation: Conversation;
  duplicate: boolean;
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

/** An agent's reply; a channel adapter picks it up from the outbox (`delivery_status` 'queued'). */
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
        delivery_status: 'queued',
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
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

async function findByKey(
  trx: Trx | StoreDeps['db'],
  tenantId: string,
  key: string,
): Promise<Received | undefined> {
  const row = await trx
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  const conversation = await findConversation(trx, tenantId, row.conversation_id);
  return { message: toMessage(row), conversation: toConversation(conversation), duplicate: true };
}

function isKeyRace(err: unknown): boolean {
  return isUniqueViolation(err, 'messages_idempotency_key');
}

/**
 * A customer's message from any channel, in one transaction: who sent it, which conversation it
 * continues (the customer's latest open or pending one, whatever its channel), the message and
 * its events. A redelivery with the same idempotency key writes nothing and returns the original.
 */
export async function receiveInbound(
  deps: StoreDeps,
  actor: Actor,
  input: InboundMessage,
): Promise<Received> {
  try {
    return await deps.outbox.transact(async (uow): Promise<Received> => {
      const seen = await findByKey(uow.trx, actor.tenantId, input.idempotencyKey);
      if (seen) return seen;
      if (input.channelId) await assertChannel(uow.trx, actor.tenantId, input.channelId, input.channelType);
      const { customer, created } = await resolveCustomerByIdentity(
        uow.trx,
        actor.tenantId,
        input.identity,
        input.displayName,
      );
      if (created) {
        const { id, displayName, identities } = customer;
        await uow.emit({
          tenantId: actor.tenantId,
          type: 'customer.created',
          aggregateType: 'customer',
          aggregateId: id,
          payload: { id, displayName, identities: identities.length, via: input.channelType },
          actor: actorTag(actor),
        });
      }
      // One customer's messages are handled one at a time, so two first messages open one conversation.
      await uow.trx
        .selectFrom('customers')
        .select('id')
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', customer.id)
        .forUpdate()
        .execute();
      const now = new Date();
      const latest = await uow.trx
        .selectFrom('conversations')
        .selectAll()
        .where('tenant_id', '=', actor.tenantId)
        .where('customer_id', '=', customer.id)
        .where('status', 'in', ['open', 'pending'])
        .orderBy('updated_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const opened = latest
        ? undefined
        : await openConversation(uow, actor, {
            customerId: customer.id,
            channelType: input.channelType,
            channelId: input.channelId,
          });
      const conversationId = latest?.id ?? opened!.id;
      const sameChannel = latest?.channel_type === input.channelType;
      const row = await uow.trx
        .insertInto('messages')
        .values({
          id: newId(),
          tenant_id: actor.tenantId,
          conversation_id: conversationId,
          direction: 'in',
          sender_type: 'customer',
          sender_id: customer.id,
          channel_type: input.channelType,
          content_type: 'text',
          text: input.text,
          payload: '{}',
          idempotency_key: input.idempotencyKey,
          delivery_status: 'received',
          created_at: input.occurredAt ?? now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const conversation = await uow.trx
        .updateTable('conversations')
        .set({
          channel_type: input.channelType,
          channel_id: input.channelId ?? (sameChannel ? (latest?.channel_id ?? null) : null),
          last_message_at: now,
          updated_at: now,
        })
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', conversationId)
        .returningAll()
        .executeTakeFirstOrThrow();
      const message = toMessage(row);
      await uow.emit({
        tenantId: actor.tenantId,
        type: 'message.received',
        aggregateType: 'conversation',
        aggregateId: conversationId,
        payload: {
          id: message.id,
          conversationId,
          customerId: customer.id,
          channelType: input.channelType,
          channelId: conversation.channel_id,
          idempotencyKey: input.idempotencyKey,
          text: message.text,
          newConversation: Boolean(opened),
        },
        actor: actorTag(actor),
      });
      return { message, conversation: toConversation(conversation), duplicate: false };
    });
  } catch (err) {
    // Two deliveries of one message raced past the check; the loser rolled back and reports the winner.
    if (isKeyRace(err)) {
      const winner = await findByKey(deps.db, actor.tenantId, input.idempotencyKey);
      if (winner) return winner;
    }
    throw err;
  }
}
