// How work reaches the ACD from the rest of the system: a customer's message in a conversation no
// agent holds becomes a task (with the channel, language, intent and customer value as attributes);
// a resolved conversation ends its task; a change to queues, skills, teams or users refreshes the
// engine's picture. Every process listens; only the one running the engines acts. Events missed
// while no process led (a failover) are caught by the sweep a new leader runs (`sweepUnrouted`).
import type { Logger } from 'pino';
import type { EventBus, Subscription } from '../bus/index.js';
import { type DomainEvent, systemActor } from '../core/index.js';
import type { RoutingLive } from './live.js';
import { createTask } from './work.js';

const REFRESH_PREFIXES = [
  'queue.',
  'skill.',
  'team.',
  'user.',
  'agent.skills_replaced',
  'agent.profile_changed',
];

/** A first guess at the language, good enough to route on: Han characters → zh, Latin letters → en. */
export function guessLanguage(text: string): string | undefined {
  if (/[\u3400-\u9fff]/.test(text)) return 'zh';
  if (/[A-Za-z]{2,}/.test(text)) return 'en';
  return undefined;
}

/** Queues the conversation unless an agent already holds it or a task for it is open. */
export async function routeConversation(
  live: RoutingLive,
  tenantId: string,
  conversationId: string,
  hints: { text?: string | undefined; intent?: unknown; channelType?: string | undefined } = {},
): Promise<void> {
  const row = await live.db
    .selectFrom('conversations as c')
    .innerJoin('customers as k', (j) =>
      j.onRef('k.tenant_id', '=', 'c.tenant_id').onRef('k.id', '=', 'c.customer_id'),
    )
    .select([
      'c.status',
      'c.assignee_id',
      'c.priority',
      'c.channel_type',
      'c.customer_id',
      'k.tier',
      'k.attributes',
    ])
    .where('c.tenant_id', '=', tenantId)
    .where('c.id', '=', conversationId)
    .executeTakeFirst();
  if (!row || row.assignee_id || row.status === 'resolved' || row.status === 'closed') return;
  const intent = hints.intent as { category?: unknown } | undefined;
  const language = hints.text ? guessLanguage(hints.text) : undefined;
  const csat = (row.attributes as { csat?: unknown }).csat;
  await createTask(live, systemActor(tenantId), {
    channel: hints.channelType ?? row.channel_type,
    conversationId,
    customerId: row.customer_id,
    priority: row.priority,
    attributes: {
      tier: row.tier,
      ...(language && { language }),
      ...(typeof intent?.category === 'string' && { category: intent.category }),
      ...(typeof csat === 'number' && { csat }),
    },
  });
}

async function endConversationTask(
  live: RoutingLive,
  tenantId: string,
  conversationId: string,
): Promise<void> {
  await live.run(tenantId, (engine) => {
    // The engine holds every open task: no look-up in the database, which may not have the newest yet.
    const t = engine.openTaskOf(conversationId);
    if (!t) return;
    if (t.status === 'assigned') engine.complete(t.id);
    else if (t.status === 'waiting' || t.status === 'reserved') engine.cancel(t.id);
  });
}

export async function handleRoutingEvent(live: RoutingLive, e: DomainEvent): Promise<void> {
  if (!live.isLeader) return;
  const p = e.payload as Record<string, unknown>;
  if (e.type === 'message.received' && typeof p.conversationId === 'string') {
    await routeConversation(live, e.tenantId, p.conversationId, {
      text: typeof p.text === 'string' ? p.text : undefined,
      intent: p.intent,
      channelType: typeof p.channelType === 'string' ? p.channelType : undefined,
    });
  } else if (
    e.type === 'conversation.updated' &&
    (p.status === 'resolved' || p.status === 'closed') &&
    typeof p.id === 'string'
  ) {
    await endConversationTask(live, e.tenantId, p.id);
  } else if (REFRESH_PREFIXES.some((x) => e.type.startsWith(x))) {
    await live.refresh(e.tenantId);
  }
}

export function subscribeRouting(live: RoutingLive, bus: EventBus, logger: Logger): Promise<Subscription> {
  return bus.subscribe({
    pattern: 'sb.>',
    handler: async (e) => {
      try {
        await handleRoutingEvent(live, e);
      } catch (err) {
        logger.warn({ err, event: e.type, tenantId: e.tenantId }, 'routing did not act on an event');
      }
    },
  });
}

/** Open conversations nobody holds and no task covers: queued by a new leader, whose predecessor may have missed them. */
export async function sweepUnrouted(live: RoutingLive): Promise<number> {
  const rows = await live.db
    .selectFrom('conversations as c')
    .select(['c.tenant_id', 'c.id'])
    .where('c.status', 'in', ['open', 'pending'])
    .where('c.assignee_id', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('routing_tasks as t')
            .select('t.id')
            .whereRef('t.tenant_id', '=', 'c.tenant_id')
            .whereRef('t.conversation_id', '=', 'c.id')
            .where('t.status', 'in', ['waiting', 'reserved', 'assigned', 'wrapping']),
        ),
      ),
    )
    .limit(10_000)
    .execute();
  for (const r of rows) await routeConversation(live, r.tenant_id, r.id);
  return rows.length;
}
