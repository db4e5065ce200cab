import { sql } from 'kysely';
import { actorTag, systemActor } from '../core/index.js';
import type { Db, StoreDeps } from '../storage/index.js';

/**
 * The durable send queue's bookkeeping (the `deliveries` table) and delivery receipts. The channel
 * dispatcher drives it: lease due rows, send through the adapter, then record the outcome here.
 */
export interface OutboundJob {
  messageId: string;
  tenantId: string;
  channelId: string;
  conversationId: string;
  attempts: number;
  text: string;
  payload: Record<string, unknown>;
  /** The customer's identities: the dispatcher picks the one the channel addresses. */
  identities: { kind: string; value: string }[];
  /** The newest inbound message of the conversation: its provider id and payload (e-mail subject, references). */
  lastInbound: { providerMessageId: string | null; payload: Record<string, unknown> } | undefined;
}

/**
 * Takes up to `limit` due deliveries for `leaseMs`; another dispatcher (another process) skips
 * them until the lease runs out, so a crashed sender's work is picked up again, never lost.
 */
export async function leaseDeliveries(db: Db, limit: number, leaseMs: number): Promise<OutboundJob[]> {
  const leased = await db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('deliveries')
      .select('message_id')
      .where('next_attempt_at', '<=', sql<Date>`now()`)
      .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', sql<Date>`now()`)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    return trx
      .updateTable('deliveries')
      .set((eb) => ({
        leased_until: sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval`,
        attempts: eb('attempts', '+', 1),
      }))
      .where(
        'message_id',
        'in',
        due.map((d) => d.message_id),
      )
      .returning(['message_id', 'tenant_id', 'channel_id', 'attempts'])
      .execute();
  });
  const jobs: OutboundJob[] = [];
  for (const d of leased) {
    const m = await db
      .selectFrom('messages')
      .select(['conversation_id', 'text', 'payload'])
      .where('id', '=', d.message_id)
      .executeTakeFirstOrThrow();
    const conv = await db
      .selectFrom('conversations')
      .select('customer_id')
      .where('tenant_id', '=', d.tenant_id)
      .where('id', '=', m.conversation_id)
      .executeTakeFirstOrThrow();
    const identities = await db
      .selectFrom('identities')
      .select(['kind', 'value'])
      .where('tenant_id', '=', d.tenant_id)
      .where('customer_id', '=', conv.customer_id)
      .orderBy('created_at', 'desc')
      .execute();
    const last = await db
      .selectFrom('messages')
      .select(['provider_message_id', 'payload'])
      .where('tenant_id', '=', d.tenant_id)
      .where('conversation_id', '=', m.conversation_id)
      .where('direction', '=', 'in')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    jobs.push({
      messageId: d.message_id,
      tenantId: d.tenant_id,
      channelId: d.channel_id,
      conversationId: m.conversation_id,
      attempts: d.attempts,
      text: m.text,
      payload: m.payload,
      identities,
      lastInbound: last && { providerMessageId: last.provider_message_id, payload: last.payload },
    });
  }
  return jobs;
}

async function settle(
  deps: StoreDeps,
  job: OutboundJob,
  status: 'sent' | 'failed',
  detail: { providerMessageId?: string; error?: string },
): Promise<void> {
  await deps.outbox.transact(async (uow) => {
    await uow.trx.deleteFrom('deliveries').where('message_id', '=', job.messageId).execute();
    await uow.trx
      .updateTable('messages')
      .set({
        delivery_status: status,
        provider_message_id: detail.providerMessageId ?? null,
        delivery_error: detail.error ?? null,
        status_at: new Date(),
      })
      .where('id', '=', job.messageId)
      .execute();
    await uow.emit({
      tenantId: job.tenantId,
      type: status === 'sent' ? 'message.sent' : 'message.failed',
      aggregateType: 'conversation',
      aggregateId: job.conversationId,
      payload: { id: job.messageId, conversationId: job.conversationId, attempts: job.attempts, ...detail },
      actor: actorTag(systemActor(job.tenantId)),
    });
  });
}

export function markSent(deps: StoreDeps, job: OutboundJob, providerMessageId: string): Promise<void> {
  return settle(deps, job, 'sent', { providerMessageId });
}

/** A final failure: visible on the message, with the provider's reason. */
export function markFailed(deps: StoreDeps, job: OutboundJob, error: string): Promise<void> {
  return settle(deps, job, 'failed', { error });
}

export async function scheduleRetry(deps: StoreDeps, job: OutboundJob, error: string, delayMs: number) {
  await deps.db
    .updateTable('deliveries')
    .set({
      next_attempt_at: sql<Date>`now() + ${`${Math.round(delayMs)} milliseconds`}::interval`,
      leased_until: null,
      last_error: error,
    })
    .where('message_id', '=', job.messageId)
    .execute();
  await deps.db
    .updateTable('messages')
    .set({ delivery_error: error })
    .where('id', '=', job.messageId)
    .execute();
}

/** Statuses only move forward: a late "delivered" does not undo "read". */
const RANK: Record<string, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/** Only a message sent on the channel that reports the receipt can be moved by it. */
export async function applyReceipt(
  deps: StoreDeps,
  tenantId: string,
  channelId: string,
  receipt: {
    providerMessageId: string;
    status: 'sent' | 'delivered' | 'read' | 'failed';
    error?: string | undefined;
  },
): Promise<boolean> {
  return deps.outbox.transact(async (uow) => {
    const row = await uow.trx
      .selectFrom('messages')
      .select(['id', 'conversation_id', 'delivery_status'])
      .where('tenant_id', '=', tenantId)
      .where('provider_message_id', '=', receipt.providerMessageId)
      .where('channel_id', '=', channelId)
      .where('direction', '=', 'out')
      .forUpdate()
      .executeTakeFirst();
    if (!row || (RANK[row.delivery_status] ?? 0) >= (RANK[receipt.status] ?? 0)) return false;
    await uow.trx
      .updateTable('messages')
      .set({ delivery_status: receipt.status, status_at: new Date(), delivery_error: receipt.error ?? null })
      .where('id', '=', row.id)
      .execute();
    await uow.emit({
      tenantId,
      type: 'message.status',
      aggregateType: 'conversation',
      aggregateId: row.conversation_id,
      payload: {
        id: row.id,
        conversationId: row.conversation_id,
        status: receipt.status,
        error: receipt.error,
      },
      actor: 'system:receipt',
    });
    return true;
  });
}
