import type { EventBus } from '../bus/index.js';
import { getConversation } from '../conversations/index.js';
import { type Actor, actorTag, newId } from '../core/index.js';
import type { Db } from '../storage/index.js';
import type { RealtimeHub } from './realtime.js';
import { adapterFor } from './registry.js';

/**
 * "The agent is typing": ephemeral like the customer's own typing, so it goes to the bus (and from
 * there to /ws) without being stored, and to the customer's open sockets on first-party channels
 * (web chat widget, app) as `{"type":"typing","typing":true|false}`. Other channels have no way to
 * show it, and a customer offline simply misses it.
 */
export interface TypingDeps {
  db: Db;
  bus: EventBus;
  realtime: RealtimeHub;
}

export async function signalAgentTyping(
  deps: TypingDeps,
  actor: Actor,
  conversationId: string,
  typing: boolean,
): Promise<{ sockets: number }> {
  const conversation = await getConversation(deps, actor, conversationId);
  await deps.bus.publish({
    id: newId(),
    tenantId: actor.tenantId,
    type: 'agent.typing',
    aggregateType: 'conversation',
    aggregateId: conversationId,
    payload: { conversationId, customerId: conversation.customerId, agentId: actor.userId, typing },
    actor: actorTag(actor),
    occurredAt: new Date().toISOString(),
  });
  const adapter = conversation.channelId ? adapterFor(conversation.channelType) : undefined;
  if (!adapter?.capabilities.typing || !conversation.channelId) return { sockets: 0 };
  const recipients = await deps.db
    .selectFrom('identities')
    .select('value')
    .where('tenant_id', '=', actor.tenantId)
    .where('customer_id', '=', conversation.customerId)
    .where('kind', '=', adapter.recipientKind)
    .execute();
  let sockets = 0;
  for (const r of recipients) {
    const pushed = await deps.realtime.push(conversation.channelId, r.value, { type: 'typing', typing });
    if (pushed === 'delivered') sockets++;
  }
  return { sockets };
}
