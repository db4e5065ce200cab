import { type Actor, actorTag, newId } from '../core/index.js';
import {
  type IdentifierOptions,
  type IdentityRef,
  identifierOptionsOf,
  type Matchable,
  normalizeIdentity,
  resolveCustomerByIdentity,
} from '../identity/index.js';
import { isUniqueViolation, type StoreDeps, type Trx, type UnitOfWork } from '../storage/index.js';
import {
  assertChannel,
  type Conversation,
  findConversation,
  openConversation,
  toConversation,
} from './conversations.js';
import { type Message, toMessage } from './messages.js';

/** A customer's message as every channel hands it over, already normalised by its adapter. */
export interface InboundMessage {
  channelType: string;
  channelId?: string | undefined;
  /** The identity the channel addresses the customer by (openid, phone, chat id, …). */
  identity: IdentityRef;
  /** More identities the same message proves (WeChat unionid, WhatsApp's phone number). */
  alsoKnownAs?: IdentityRef[] | undefined;
  displayName?: string | undefined;
  text: string;
  /** text, media, location, postback, contact. */
  contentType?: string | undefined;
  /** The structured part: media, location, extracted fields, e-mail headers. */
  payload?: Record<string, unknown> | undefined;
  /** The provider's message id, or anything else that is the same on every redelivery. */
  idempotencyKey: string;
  /** The provider's id of this message when it differs from the idempotency key (e-mail Message-ID). */
  providerMessageId?: string | undefined;
  /** Provider ids of earlier messages this one answers (e-mail In-Reply-To and References). */
  replyTo?: string[] | undefined;
  /** When the customer sent it, if the channel says; otherwise when we received it. */
  occurredAt?: string | undefined;
}

export interface Received {
  message: Message;
  conversation: Conversation;
  duplicate: boolean;
  /** The message made a new customer or gave its customer a new identity: worth matching again. */
  customerChanged: boolean;
  /** The customer as this message left it (not on a duplicate), for identity matching without a read. */
  customer?: Matchable | undefined;
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
  return {
    message: toMessage(row),
    conversation: toConversation(conversation),
    duplicate: true,
    customerChanged: false,
  };
}

/** The conversation of the newest earlier message this one replies to, whatever its status. */
async function threadOf(trx: Trx, tenantId: string, replyTo: string[] | undefined) {
  if (!replyTo?.length) return undefined;
  const row = await trx
    .selectFrom('messages')
    .select('conversation_id')
    .where('tenant_id', '=', tenantId)
    .where('provider_message_id', 'in', replyTo)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? findConversation(trx, tenantId, row.conversation_id, true) : undefined;
}

/** Identities the message proves but nobody owns yet join its customer; owned ones are left for identity resolution. */
async function attachIdentities(
  trx: Trx,
  tenantId: string,
  customerId: string,
  refs: IdentityRef[] = [],
  options: IdentifierOptions = {},
): Promise<(IdentityRef & { id: string })[]> {
  const attached: (IdentityRef & { id: string })[] = [];
  for (const ref of refs) {
    const norm = normalizeIdentity(ref, options);
    const row = await trx
      .insertInto('identities')
      .values({ id: newId(), tenant_id: tenantId, customer_id: customerId, ...norm, verified: false })
      .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'value']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (row) attached.push({ ...norm, id: row.id });
  }
  return attached;
}

/**
 * A customer's message from any channel, in one transaction: who sent it, which conversation it
 * continues (the thread it replies to; else the customer's latest open or pending one, whatever its
 * channel), the message and its events. A redelivery with the same idempotency key writes nothing
 * and returns the original.
 */
export async function receiveInbound(
  deps: StoreDeps,
  actor: Actor,
  input: InboundMessage,
): Promise<Received> {
  try {
    const options = await identifierOptionsOf(deps.db, actor.tenantId);
    return await deps.outbox.transact((uow) => receiveIn(uow, actor, input, options));
  } catch (err) {
    // Two deliveries of one message raced past the check; the loser rolled back and reports the winner.
    if (isUniqueViolation(err, 'messages_idempotency_key')) {
      const winner = await findByKey(deps.db, actor.tenantId, input.idempotencyKey);
      if (winner) return winner;
    }
    throw err;
  }
}

async function receiveIn(
  uow: UnitOfWork,
  actor: Actor,
  input: InboundMessage,
  options: IdentifierOptions,
): Promise<Received> {
  const { trx } = uow;
  const tenantId = actor.tenantId;
  const seen = await findByKey(trx, tenantId, input.idempotencyKey);
  if (seen) return seen;
  if (input.channelId) await assertChannel(trx, tenantId, input.channelId, input.channelType);
  const { customer, created } = await resolveCustomerByIdentity(
    trx,
    tenantId,
    input.identity,
    input.displayName,
    options,
  );
  const attached = await attachIdentities(trx, tenantId, customer.id, input.alsoKnownAs, options);
  // Identity matchers in other processes re-read the customer on it.
  for (const a of attached) {
    await uow.emit({
      tenantId,
      type: 'customer.identity_added',
      aggregateType: 'customer',
      aggregateId: customer.id,
      payload: { customerId: customer.id, identityId: a.id, kind: a.kind, value: a.value, source: 'message' },
      actor: actorTag(actor),
    });
  }
  if (created) {
    await uow.emit({
      tenantId,
      type: 'customer.created',
      aggregateType: 'customer',
      aggregateId: customer.id,
      payload: { id: customer.id, displayName: customer.displayName, via: input.channelType },
      actor: actorTag(actor),
    });
  }
  // One customer's messages are handled one at a time, so two first messages open one conversation.
  await trx
    .selectFrom('customers')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', customer.id)
    .forUpdate()
    .execute();
  const now = new Date();
  const thread = await threadOf(trx, tenantId, input.replyTo);
  const latest =
    thread ??
    (await trx
      .selectFrom('conversations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('customer_id', '=', customer.id)
      .where('status', 'in', ['open', 'pending'])
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst());
  const opened = latest
    ? undefined
    : await openConversation(uow, actor, {
        customerId: customer.id,
        channelType: input.channelType,
        channelId: input.channelId,
      });
  const conversationId = latest?.id ?? opened!.id;
  const sameChannel = latest?.channel_type === input.channelType;
  const row = await trx
    .insertInto('messages')
    .values({
      id: newId(),
      tenant_id: tenantId,
      conversation_id: conversationId,
      direction: 'in',
      sender_type: 'customer',
      sender_id: customer.id,
      channel_type: input.channelType,
      channel_id: input.channelId ?? null,
      content_type: input.contentType ?? 'text',
      text: input.text,
      payload: JSON.stringify(input.payload ?? {}),
      idempotency_key: input.idempotencyKey,
      provider_message_id: input.providerMessageId ?? null,
      delivery_status: 'received',
      created_at: input.occurredAt ?? now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const reopened = latest && (latest.status === 'resolved' || latest.status === 'closed');
  const conversation = await trx
    .updateTable('conversations')
    .set({
      channel_type: input.channelType,
      channel_id: input.channelId ?? (sameChannel ? (latest?.channel_id ?? null) : null),
      last_message_at: now,
      updated_at: now,
      // A reply to a resolved thread (an e-mail answering ours) brings it back to the queue.
      ...(reopened && { status: 'open' as const }),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', conversationId)
    .returningAll()
    .executeTakeFirstOrThrow();
  const message = toMessage(row);
  await uow.emit({
    tenantId,
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
      contentType: message.contentType,
      text: message.text,
      newConversation: Boolean(opened),
      ...(reopened && { reopened: true }),
      // Routing reads the intent from the event instead of re-reading the message.
      ...(input.payload?.extracted !== undefined && {
        intent: (input.payload.extracted as { intent?: unknown }).intent,
      }),
    },
    actor: actorTag(actor),
  });
  return {
    message,
    conversation: toConversation(conversation),
    duplicate: false,
    customerChanged: created || attached.length > 0,
    customer: {
      id: customer.id,
      displayName: customer.displayName,
      attributes: customer.attributes,
      identities: [
        ...customer.identities.map((i) => ({ kind: i.kind, value: i.value })),
        ...attached.map((a) => ({ kind: a.kind, value: a.value })),
      ],
      createdAt: customer.createdAt,
    },
  };
}
