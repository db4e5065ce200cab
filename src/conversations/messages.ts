import {
  type Actor,
  actorTag,
  Conflict,
  InvalidInput,
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
  /** Required for text; the caption of a file or image. */
  text?: string | undefined;
  contentType?: 'text' | 'file' | 'image' | undefined;
  payload?: Record<string, unknown> | undefined;
  /** The stored upload a file or image reply sends (the API checks it is the tenant's own). */
  file?: ReplyFile | undefined;
}

export interface ReplyFile {
  url: string;
  name: string;
  size: number;
  contentType: string;
}

/** Channels whose clients (our widget, the app SDK) show a file; elsewhere it goes as a link in the text. */
const SHOWS_FILES = new Set(['webchat', 'app']);

/** What a reply stores: text and payload, with a file as `media` or as a link. */
function replyContent(
  input: NewReply,
  channelType: string,
): { text: string; payload: Record<string, unknown> } {
  const kind = input.contentType ?? 'text';
  const text = input.text?.trim() ?? '';
  if (kind === 'text') {
    if (!text) throw new InvalidInput('a text reply needs text', 'text');
    return { text: input.text as string, payload: input.payload ?? {} };
  }
  const file = input.file;
  if (!file) throw new InvalidInput(`a ${kind} reply needs the uploaded file as its payload`, 'payload');
  if (kind === 'image' && !file.contentType.startsWith('image/'))
    throw new InvalidInput(`${file.contentType} is not an image; send it as a file`, 'payload.contentType');
  const media = {
    kind: kind === 'image' ? 'image' : 'file',
    url: file.url,
    mimeType: file.contentType,
    filename: file.name,
    sizeBytes: file.size,
    ...(text && { caption: text }),
  };
  if (SHOWS_FILES.has(channelType)) return { text, payload: { file, media: [media] } };
  return { text: [text, `${file.name}: ${file.url}`].filter(Boolean).join('\n'), payload: { file } };
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
    const content = replyContent(input, conversation.channel_type);
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
        text: content.text,
        payload: JSON.stringify(content.payload),
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
        contentType: message.contentType,
        text: message.text,
        ...(input.file && { file: input.file }),
      },
      actor: actorTag(actor),
    });
    return message;
  });
}
