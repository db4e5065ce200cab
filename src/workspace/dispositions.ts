import {
  type Conversation,
  changeConversation,
  findConversation,
  toConversation,
} from '../conversations/index.js';
import { type Actor, actorTag, Conflict, Forbidden, NotFound, newId, roleAtLeast } from '../core/index.js';
import { auditBy } from '../security/index.js';
import type { Row, StoreDeps, Trx, UnitOfWork } from '../storage/index.js';
import { UnknownDisposition } from './errors.js';

/**
 * Disposition codes (what a contact was about and how it ended) and the wrap-up that records one
 * on a conversation. A wrap-up resolves the conversation through the ordinary status change, so
 * the ACD's trigger completes the conversation's routing task as for any resolve.
 */
export interface DispositionCode {
  id: string;
  code: string;
  labels: { en: string; 'zh-CN': string };
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewDispositionCode {
  code: string;
  labels: { en: string; 'zh-CN': string };
  active?: boolean | undefined;
}

export interface DispositionChanges {
  labels?: { en?: string | undefined; 'zh-CN'?: string | undefined } | undefined;
  active?: boolean | undefined;
}

export interface WrapUp {
  dispositionCode: string;
  note?: string | undefined;
  /** Resolve the conversation too (default). */
  resolve?: boolean | undefined;
}

function toCode(r: Row<'disposition_codes'>): DispositionCode {
  return {
    id: r.id,
    code: r.code,
    labels: { en: r.label_en, 'zh-CN': r.label_zh },
    active: r.active,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export async function listDispositionCodes(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  filter: { active?: boolean | undefined } = {},
): Promise<{ items: DispositionCode[] }> {
  let q = db.selectFrom('disposition_codes').selectAll().where('tenant_id', '=', actor.tenantId);
  if (filter.active !== undefined) q = q.where('active', '=', filter.active);
  const rows = await q.orderBy('code').execute();
  return { items: rows.map(toCode) };
}

async function record(
  uow: UnitOfWork,
  actor: Actor,
  what: string,
  c: DispositionCode | { id: string; code: string },
) {
  await auditBy(uow.trx, actor, `disposition_code.${what}`, 'disposition_code', c.id, { code: c.code });
  await uow.emit({
    tenantId: actor.tenantId,
    type: `disposition_code.${what}`,
    aggregateType: 'disposition_code',
    aggregateId: c.id,
    payload: c,
    actor: actorTag(actor),
  });
}

async function findCode(trx: Trx, tenantId: string, id: string) {
  const row = await trx
    .selectFrom('disposition_codes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new NotFound('disposition code', id);
  return row;
}

export async function createDispositionCode(
  deps: StoreDeps,
  actor: Actor,
  input: NewDispositionCode,
): Promise<DispositionCode> {
  const code = input.code.trim();
  return deps.outbox.transact(async (uow) => {
    const taken = await uow.trx
      .selectFrom('disposition_codes')
      .select('id')
      .where('tenant_id', '=', actor.tenantId)
      .where('code', '=', code)
      .executeTakeFirst();
    if (taken) throw new Conflict(`the disposition code "${code}" already exists`);
    const row = await uow.trx
      .insertInto('disposition_codes')
      .values({
        id: newId(),
        tenant_id: actor.tenantId,
        code,
        label_en: input.labels.en.trim(),
        label_zh: input.labels['zh-CN'].trim(),
        active: input.active ?? true,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const created = toCode(row);
    await record(uow, actor, 'created', created);
    return created;
  });
}

/** Labels and whether agents may pick it; the code itself stays, as wrapped-up conversations keep it. */
export async function updateDispositionCode(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  changes: DispositionChanges,
): Promise<DispositionCode> {
  return deps.outbox.transact(async (uow) => {
    await findCode(uow.trx, actor.tenantId, id);
    const row = await uow.trx
      .updateTable('disposition_codes')
      .set({
        ...(changes.labels?.en !== undefined && { label_en: changes.labels.en.trim() }),
        ...(changes.labels?.['zh-CN'] !== undefined && { label_zh: changes.labels['zh-CN'].trim() }),
        ...(changes.active !== undefined && { active: changes.active }),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const updated = toCode(row);
    await record(uow, actor, 'updated', updated);
    return updated;
  });
}

/** Conversations that used it keep the code's text; switching it off (`active: false`) keeps its labels too. */
export async function deleteDispositionCode(deps: StoreDeps, actor: Actor, id: string): Promise<void> {
  await deps.outbox.transact(async (uow) => {
    const gone = await uow.trx
      .deleteFrom('disposition_codes')
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .returning(['id', 'code'])
      .executeTakeFirst();
    if (!gone) throw new NotFound('disposition code', id);
    await record(uow, actor, 'deleted', gone);
  });
}

/** The assignee closes their work on a conversation; a supervisor or above may do it for them. */
export async function wrapUpConversation(
  deps: StoreDeps,
  actor: Actor,
  conversationId: string,
  input: WrapUp,
): Promise<Conversation> {
  return deps.outbox.transact(async (uow) => {
    const current = await findConversation(uow.trx, actor.tenantId, conversationId, true);
    if (!roleAtLeast(actor.role, 'supervisor') && current.assignee_id !== actor.userId) {
      throw new Forbidden('only the agent the conversation is assigned to, or a supervisor, can wrap it up');
    }
    const code = await uow.trx
      .selectFrom('disposition_codes')
      .select('code')
      .where('tenant_id', '=', actor.tenantId)
      .where('code', '=', input.dispositionCode.trim())
      .where('active', '=', true)
      .executeTakeFirst();
    if (!code) throw new UnknownDisposition(input.dispositionCode);
    const note = input.note?.trim() || null;
    const now = new Date();
    await uow.trx
      .updateTable('conversations')
      .set({
        disposition_code: code.code,
        wrap_up_note: note,
        wrapped_up_at: now,
        wrapped_up_by: actor.userId,
        updated_at: now,
      })
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', conversationId)
      .execute();
    const resolve = (input.resolve ?? true) && (current.status === 'open' || current.status === 'pending');
    // The status change path emits conversation.updated, which ends the routing task.
    const conversation = resolve
      ? await changeConversation(uow, actor, conversationId, { status: 'resolved' })
      : toConversation(await findConversation(uow.trx, actor.tenantId, conversationId));
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'conversation.wrapped_up',
      aggregateType: 'conversation',
      aggregateId: conversationId,
      payload: {
        id: conversationId,
        conversationId,
        customerId: current.customer_id,
        dispositionCode: code.code,
        note,
        resolved: resolve,
        status: conversation.status,
        wrappedUpBy: actor.userId,
        wrappedUpAt: now.toISOString(),
      },
      actor: actorTag(actor),
    });
    return conversation;
  });
}
