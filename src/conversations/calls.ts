import { type Actor, actorTag, newId } from '../core/index.js';
import {
  type Customer,
  createCustomer,
  identifierOptionsOf,
  resolveCustomerByIdentity,
} from '../identity/index.js';
import { isUniqueViolation, type StoreDeps } from '../storage/index.js';
import { type Conversation, openConversation, toConversation } from './conversations.js';
import { type Message, toMessage } from './messages.js';

/**
 * Phone calls in the conversation model. The caller's number is resolved to a customer as a
 * message's sender is (the same identity lookup, creating a customer for a new number) before the
 * IVR answers; when the IVR is done, the call becomes a conversation of its own on the voice channel
 * with one inbound message of content type `call` that carries the IVR path, so the customer's
 * timeline shows the call. A call is live and synchronous: it never joins an open chat conversation.
 */
export interface CallerResolved {
  customer: Customer;
  /** The number had not reached us before (or there was no number): a new customer. */
  created: boolean;
}

/** A caller id we can look up: E.164-ish digits. "anonymous", "unknown" and SIP user names are not. */
const DIALABLE = /^\+?[0-9][0-9 ()-]{4,24}$/;

export async function resolveCaller(deps: StoreDeps, actor: Actor, from: string): Promise<CallerResolved> {
  if (!DIALABLE.test(from.trim())) {
    // A withheld number: a customer of its own, nobody to match it with.
    return { customer: await createCustomer(deps, actor, {}), created: true };
  }
  const options = await identifierOptionsOf(deps.db, actor.tenantId);
  return deps.outbox.transact(async (uow) => {
    const resolved = await resolveCustomerByIdentity(
      uow.trx,
      actor.tenantId,
      { kind: 'phone', value: from },
      '',
      options,
    );
    if (resolved.created)
      await uow.emit({
        tenantId: actor.tenantId,
        type: 'customer.created',
        aggregateType: 'customer',
        aggregateId: resolved.customer.id,
        payload: { id: resolved.customer.id, displayName: resolved.customer.displayName, via: 'voice' },
        actor: actorTag(actor),
      });
    return resolved;
  });
}

export interface NewCall {
  customerId: string;
  /** The call's own id (the SIP Call-ID): recording it twice writes nothing the second time. */
  callId: string;
  /** One line a person reads in the conversation and the timeline. */
  summary: string;
  /** From, to, times, the IVR's path and outcome: what the timeline's call entry shows. */
  details: Record<string, unknown>;
  /** open: the call waits for an agent; resolved: it ended in the IVR. */
  status: 'open' | 'resolved';
  occurredAt: Date;
  channelId?: string | undefined;
  /** out: an agent called the customer (the message is the agent's). Default in. */
  direction?: 'in' | 'out' | undefined;
  /** The agent who placed an outbound call. */
  agentId?: string | undefined;
}

export interface RecordedCall {
  conversation: Conversation;
  message: Message;
  duplicate: boolean;
}

async function findRecorded(
  deps: StoreDeps,
  tenantId: string,
  key: string,
): Promise<RecordedCall | undefined> {
  const message = await deps.db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (!message) return undefined;
  const conversation = await deps.db
    .selectFrom('conversations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', message.conversation_id)
    .executeTakeFirstOrThrow();
  return { conversation: toConversation(conversation), message: toMessage(message), duplicate: true };
}

/** The call as a voice conversation with its `call` message; `call.recorded` names both. */
export async function recordCall(deps: StoreDeps, actor: Actor, input: NewCall): Promise<RecordedCall> {
  const key = `call:${input.callId}`;
  // No look-up first: the message's unique idempotency key refuses a second recording of the call
  // (the transaction rolls back whole) and the first one is returned.
  try {
    return await deps.outbox.transact(async (uow) => {
      const opened = await openConversation(uow, actor, {
        customerId: input.customerId,
        channelType: 'voice',
        channelId: input.channelId,
      });
      const row = await uow.trx
        .insertInto('messages')
        .values({
          id: newId(),
          tenant_id: actor.tenantId,
          conversation_id: opened.id,
          direction: input.direction ?? 'in',
          sender_type: input.direction === 'out' ? 'agent' : 'customer',
          sender_id: input.direction === 'out' ? (input.agentId ?? null) : input.customerId,
          channel_type: 'voice',
          channel_id: input.channelId ?? null,
          content_type: 'call',
          text: input.summary,
          payload: JSON.stringify(input.details),
          idempotency_key: key,
          delivery_status: 'received',
          created_at: input.occurredAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const now = new Date();
      const conversation = await uow.trx
        .updateTable('conversations')
        .set({ last_message_at: now, updated_at: now, status: input.status })
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', opened.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const message = toMessage(row);
      // Not message.received: routing's trigger would queue the call without the IVR's attributes;
      // the IVR session creates the task itself.
      await uow.emit({
        tenantId: actor.tenantId,
        type: 'call.recorded',
        aggregateType: 'conversation',
        aggregateId: opened.id,
        payload: {
          id: message.id,
          conversationId: opened.id,
          customerId: input.customerId,
          channelType: 'voice',
          status: input.status,
          text: input.summary,
        },
        actor: actorTag(actor),
      });
      return { conversation: toConversation(conversation), message, duplicate: false };
    });
  } catch (err) {
    if (isUniqueViolation(err, 'messages_idempotency_key')) {
      const winner = await findRecorded(deps, actor.tenantId, key);
      if (winner) return winner;
    }
    throw err;
  }
}
