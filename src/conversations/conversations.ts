import { sql } from 'kysely';
import {
  type Actor,
  actorTag,
  InvalidInput,
  NotFound,
  newId,
  type Page,
  type PageRequest,
  pageLimit,
  toPage,
} from '../core/index.js';
import {
  type Db,
  findInTenant,
  type Row,
  type StoreDeps,
  type Trx,
  type UnitOfWork,
} from '../storage/index.js';
import { NO_USER, unreadCount } from './reads.js';

export const CONVERSATION_STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export interface Conversation {
  id: string;
  tenantId: string;
  customerId: string;
  channelId: string | null;
  channelType: string;
  status: ConversationStatus;
  priority: number;
  subject: string;
  queueId: string | null;
  assigneeId: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  lastMessageAt: string | null;
  /** Set by the wrap-up: the disposition code, the agent's note, when and by whom. */
  dispositionCode: string | null;
  wrapUpNote: string | null;
  wrappedUpAt: string | null;
  wrappedUpBy: string | null;
}

/** A conversation as read (GET): with its open routing task, if any. */
export interface ConversationWithTask extends Conversation {
  /** The open routing task (waiting, reserved, assigned or in wrap-up); null when none is. */
  taskId: string | null;
}

/** A list item: the conversation, its open task and how many customer messages the caller has not read. */
export interface ConversationListItem extends ConversationWithTask {
  unread: number;
}

/** The conversation's open routing task (at most one, by a unique index), in the same statement. */
const openTaskId = sql<string | null>`(
  SELECT t.id FROM routing_tasks t
  WHERE t.tenant_id = c.tenant_id AND t.conversation_id = c.id
    AND t.status IN ('waiting', 'reserved', 'assigned', 'wrapping')
  LIMIT 1
)`.as('task_id');

export interface NewConversation {
  customerId: string;
  channelType: string;
  channelId?: string | undefined;
  subject?: string | undefined;
  priority?: number | undefined;
  queueId?: string | undefined;
}

export interface ConversationChanges {
  status?: ConversationStatus | undefined;
  priority?: number | undefined;
  /** null takes the conversation out of its queue. */
  queueId?: string | null | undefined;
  /** null unassigns it. */
  assigneeId?: string | null | undefined;
  tags?: string[] | undefined;
  subject?: string | undefined;
}

export interface ConversationFilter extends PageRequest {
  status?: ConversationStatus | undefined;
  queueId?: string | undefined;
  assigneeId?: string | undefined;
  customerId?: string | undefined;
  /** Only the caller's own conversations. */
  mine?: boolean | undefined;
  channelType?: string | undefined;
}

export function toConversation(row: Row<'conversations'>): Conversation {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    customerId: row.customer_id,
    channelId: row.channel_id,
    channelType: row.channel_type,
    status: row.status,
    priority: row.priority,
    subject: row.subject,
    queueId: row.queue_id,
    assigneeId: row.assignee_id,
    tags: row.tags,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    lastMessageAt: row.last_message_at ? new Date(row.last_message_at).toISOString() : null,
    dispositionCode: row.disposition_code ?? null,
    wrapUpNote: row.wrap_up_note ?? null,
    wrappedUpAt: row.wrapped_up_at ? new Date(row.wrapped_up_at).toISOString() : null,
    wrappedUpBy: row.wrapped_up_by ?? null,
  };
}

const REFERENCED = { customer: 'customers', channel: 'channels', queue: 'queues', user: 'users' } as const;

/**
 * The foreign keys would refuse another tenant's row too, but only as an opaque SQL error after
 * other writes; checking first names the missing thing and keeps the transaction clean.
 */
export async function assertInTenant(
  trx: Db | Trx,
  tenantId: string,
  entity: keyof typeof REFERENCED,
  id: string,
): Promise<void> {
  await findInTenant(trx, REFERENCED[entity], tenantId, id, { entity });
}

/** A conversation on a configured channel must say that channel's type. */
export async function assertChannel(trx: Trx, tenantId: string, channelId: string, channelType: string) {
  const channel = await trx
    .selectFrom('channels')
    .select('type')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', channelId)
    .executeTakeFirst();
  if (!channel) throw new NotFound('channel', channelId);
  if (channel.type !== channelType) {
    throw new InvalidInput(
      `channel ${channelId} is a ${channel.type} channel, not ${channelType}`,
      'channelType',
    );
  }
}

/** Opens a conversation in the caller's unit of work and emits `conversation.created`. */
export async function openConversation(
  uow: UnitOfWork,
  actor: Actor,
  input: NewConversation,
): Promise<Conversation> {
  const row = await uow.trx
    .insertInto('conversations')
    .values({
      id: newId(),
      tenant_id: actor.tenantId,
      customer_id: input.customerId,
      channel_id: input.channelId ?? null,
      channel_type: input.channelType,
      status: 'open',
      priority: input.priority ?? 0,
      subject: input.subject?.trim() ?? '',
      queue_id: input.queueId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const conversation = toConversation(row);
  await uow.emit({
    tenantId: actor.tenantId,
    type: 'conversation.created',
    aggregateType: 'conversation',
    aggregateId: conversation.id,
    payload: {
      id: conversation.id,
      customerId: conversation.customerId,
      channelType: conversation.channelType,
      channelId: conversation.channelId,
      queueId: conversation.queueId,
      priority: conversation.priority,
      subject: conversation.subject,
    },
    actor: actorTag(actor),
  });
  return conversation;
}

export async function createConversation(deps: StoreDeps, actor: Actor, input: NewConversation) {
  return deps.outbox.transact(async (uow) => {
    await assertInTenant(uow.trx, actor.tenantId, 'customer', input.customerId);
    if (input.channelId) await assertChannel(uow.trx, actor.tenantId, input.channelId, input.channelType);
    if (input.queueId) await assertInTenant(uow.trx, actor.tenantId, 'queue', input.queueId);
    return openConversation(uow, actor, input);
  });
}

export function findConversation(trx: Db | Trx, tenantId: string, id: string, lock = false) {
  return findInTenant(trx, 'conversations', tenantId, id, { lock });
}

export async function getConversation(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  id: string,
): Promise<ConversationWithTask> {
  const row = await db
    .selectFrom('conversations as c')
    .selectAll('c')
    .select(openTaskId)
    .where('c.tenant_id', '=', actor.tenantId)
    .where('c.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFound('conversation', id);
  return { ...toConversation(row), taskId: row.task_id ?? null };
}

/**
 * Newest first: ids are time-ordered, so `id < cursor` continues the page exactly. Each item counts
 * the customer messages after the caller's read marker in the same statement (reads.ts).
 */
export async function listConversations(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  req: ConversationFilter,
): Promise<Page<ConversationListItem>> {
  const limit = pageLimit(req);
  let q = db
    .selectFrom('conversations as c')
    .leftJoin('conversation_reads as r', (j) =>
      j
        .onRef('r.tenant_id', '=', 'c.tenant_id')
        .onRef('r.conversation_id', '=', 'c.id')
        .on('r.user_id', '=', actor.userId ?? NO_USER),
    )
    .selectAll('c')
    .select(unreadCount)
    .select(openTaskId)
    .where('c.tenant_id', '=', actor.tenantId);
  if (req.status) q = q.where('c.status', '=', req.status);
  if (req.queueId) q = q.where('c.queue_id', '=', req.queueId);
  if (req.assigneeId) q = q.where('c.assignee_id', '=', req.assigneeId);
  if (req.mine) q = q.where('c.assignee_id', '=', actor.userId ?? NO_USER);
  if (req.customerId) q = q.where('c.customer_id', '=', req.customerId);
  if (req.channelType) q = q.where('c.channel_type', '=', req.channelType);
  if (req.cursor) q = q.where('c.id', '<', req.cursor);
  const rows = await q
    .orderBy('c.id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (row) => ({
    ...toConversation(row),
    taskId: row.task_id ?? null,
    unread: Number(row.unread),
  }));
}

function sameTags(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

export async function updateConversation(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  changes: ConversationChanges,
): Promise<Conversation> {
  return deps.outbox.transact((uow) => changeConversation(uow, actor, id, changes));
}

/** The one path a conversation's fields change by (and `conversation.updated` is emitted), in the caller's unit of work. */
export async function changeConversation(
  uow: UnitOfWork,
  actor: Actor,
  id: string,
  changes: ConversationChanges,
): Promise<Conversation> {
  const current = await findConversation(uow.trx, actor.tenantId, id, true);
  if (changes.queueId) await assertInTenant(uow.trx, actor.tenantId, 'queue', changes.queueId);
  if (changes.assigneeId) await assertInTenant(uow.trx, actor.tenantId, 'user', changes.assigneeId);
  const next = {
    status: changes.status ?? current.status,
    priority: changes.priority ?? current.priority,
    queue_id: changes.queueId === undefined ? current.queue_id : changes.queueId,
    assignee_id: changes.assigneeId === undefined ? current.assignee_id : changes.assigneeId,
    tags: changes.tags ?? current.tags,
    subject: changes.subject?.trim() ?? current.subject,
  };
  const changed = [
    next.status !== current.status && 'status',
    next.priority !== current.priority && 'priority',
    next.queue_id !== current.queue_id && 'queueId',
    next.assignee_id !== current.assignee_id && 'assigneeId',
    !sameTags(next.tags, current.tags) && 'tags',
    next.subject !== current.subject && 'subject',
  ].filter((f): f is string => typeof f === 'string');
  if (changed.length === 0) return toConversation(current);
  const row = await uow.trx
    .updateTable('conversations')
    .set({ ...next, updated_at: new Date() })
    .where('tenant_id', '=', actor.tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const conversation = toConversation(row);
  await uow.emit({
    tenantId: actor.tenantId,
    type: 'conversation.updated',
    aggregateType: 'conversation',
    aggregateId: id,
    payload: {
      id,
      changed,
      status: conversation.status,
      priority: conversation.priority,
      queueId: conversation.queueId,
      assigneeId: conversation.assigneeId,
      tags: conversation.tags,
      subject: conversation.subject,
    },
    actor: actorTag(actor),
  });
  return conversation;
}
