import { sql } from 'kysely';
import { type Actor, actorTag, Conflict, InvalidInput, NotFound, newId } from '../core/index.js';
import { audit, auditCte } from '../security/index.js';
import { findInTenant, type Row, type StoreDeps } from '../storage/index.js';
import { customersChanged, customersSeparated, ownIdentityEvent } from './live.js';

/**
 * Merging two customers into one, with the evidence that justified it, and undoing it exactly:
 * the merge records which identities and conversations moved, so an unmerge moves those back and
 * both customers have their own identities, conversations and timeline again.
 */
export interface MergeEvidence {
  /** 'manual' (a supervisor), 'deterministic' (a shared strong identifier) or 'probabilistic'. */
  source: 'manual' | 'deterministic' | 'probabilistic';
  identifiers?: { kind: string; value: string }[];
  fields?: { field: string; level: string; weight: number }[];
  total?: number;
  note?: string;
}

export interface Merge {
  id: string;
  survivorId: string;
  mergedId: string;
  confidence: number;
  evidence: MergeEvidence;
  moved: { identities: string[]; conversations: string[]; survivorDisplayName?: string };
  status: 'active' | 'undone';
  createdBy: string;
  createdAt: string;
  undoneAt: string | null;
}

export function toMerge(row: Row<'customer_merges'>): Merge {
  return {
    id: row.id,
    survivorId: row.survivor_id,
    mergedId: row.merged_id,
    confidence: row.confidence,
    evidence: row.evidence as unknown as MergeEvidence,
    moved: row.moved,
    status: row.status,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    undoneAt: row.undone_at ? new Date(row.undone_at).toISOString() : null,
  };
}

export async function mergeCustomers(
  deps: StoreDeps,
  actor: Actor,
  input: { survivorId: string; mergedId: string; confidence: number; evidence: MergeEvidence },
): Promise<Merge> {
  if (input.survivorId === input.mergedId)
    throw new InvalidInput('a customer cannot be merged into itself', 'mergedId');
  const merge = await deps.outbox.transact(async (uow) => {
    const { trx } = uow;
    const tenantId = actor.tenantId;
    // Both locked in one statement, in id order, so two opposite merges cannot deadlock.
    const locked = await trx
      .selectFrom('customers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', [input.survivorId, input.mergedId])
      .orderBy('id')
      .forUpdate()
      .execute();
    const rows = new Map(locked.map((r) => [r.id, r]));
    for (const id of [input.survivorId, input.mergedId]) {
      const r = rows.get(id);
      if (!r) throw new NotFound('customer', id);
      if (r.merged_into) throw new Conflict(`customer ${id} was merged into ${r.merged_into}`);
    }
    const survivor = rows.get(input.survivorId) as Row<'customers'>;
    const mergedName = (rows.get(input.mergedId) as Row<'customers'>).display_name;
    // A nameless survivor (a web chat visitor) takes the name the other record knew; unmerge gives it back.
    const takesName = !survivor.display_name.trim() && Boolean(mergedName.trim());
    // The rest in one statement: identities and conversations move (the merge records which), the merged
    // customer points at the survivor, the survivor takes the name if it has none, the merge row, its
    // audit record and its event.
    const mergeId = newId();
    const { event, ctes: eventCtes } = uow.emitWith(
      {
        tenantId,
        type: 'customer.merged',
        aggregateType: 'customer',
        aggregateId: input.survivorId,
        payload: {
          mergeId,
          customerId: input.survivorId,
          mergedId: input.mergedId,
          confidence: input.confidence,
        },
        actor: actorTag(actor),
      },
      'merged',
    );
    const audited = auditCte(trx, 'audited', {
      tenantId,
      actorId: actor.userId,
      action: 'customer.merged',
      targetType: 'customer',
      targetId: input.survivorId,
      detail: {
        mergeId,
        mergedId: input.mergedId,
        confidence: input.confidence,
        source: input.evidence.source,
      },
      ip: actor.ip,
    });
    const { rows: inserted } = await sql<Row<'customer_merges'>>`
      WITH moved_identities AS (
        UPDATE identities SET customer_id = ${input.survivorId}
        WHERE tenant_id = ${tenantId} AND customer_id = ${input.mergedId}
        RETURNING id
      ), moved_conversations AS (
        UPDATE conversations SET customer_id = ${input.survivorId}, updated_at = now()
        WHERE tenant_id = ${tenantId} AND customer_id = ${input.mergedId}
        RETURNING id
      ), merged AS (
        UPDATE customers SET merged_into = ${input.survivorId}, updated_at = now()
        WHERE tenant_id = ${tenantId} AND id = ${input.mergedId}
      ), named AS (
        UPDATE customers SET display_name = ${mergedName}
        WHERE ${takesName}::boolean AND tenant_id = ${tenantId} AND id = ${input.survivorId}
      ), ${audited}, ${eventCtes}
      INSERT INTO customer_merges (id, tenant_id, survivor_id, merged_id, confidence, evidence, moved, created_by)
      SELECT ${mergeId}::uuid, ${tenantId}::uuid, ${input.survivorId}::uuid, ${input.mergedId}::uuid, ${input.confidence}::float8,
        ${JSON.stringify(input.evidence)}::jsonb,
        jsonb_build_object(
          'identities', coalesce((SELECT jsonb_agg(id) FROM moved_identities), '[]'::jsonb),
          'conversations', coalesce((SELECT jsonb_agg(id) FROM moved_conversations), '[]'::jsonb)
        ) || ${JSON.stringify(takesName ? { survivorDisplayName: survivor.display_name } : {})}::jsonb,
        ${actorTag(actor)}::text
      RETURNING *`.execute(trx);
    const merge = toMerge(inserted[0]!);
    ownIdentityEvent(deps, event.id);
    return merge;
  });
  // The matcher's index: the survivor as it now is, the merged customer gone.
  await customersChanged(deps, actor.tenantId, [input.survivorId, input.mergedId]);
  return merge;
}

/** Puts back exactly what the merge moved. Later merges that involve either customer must be undone first. */
export async function unmergeCustomers(deps: StoreDeps, actor: Actor, mergeId: string): Promise<Merge> {
  const undone = await deps.outbox.transact(async (uow) => {
    const { trx } = uow;
    const tenantId = actor.tenantId;
    const row = await trx
      .selectFrom('customer_merges')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', mergeId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new NotFound('merge', mergeId);
    if (row.status === 'undone') throw new Conflict(`merge ${mergeId} was already undone`);
    const later = await trx
      .selectFrom('customer_merges')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .where('id', '>', mergeId)
      .where((eb) =>
        eb.or([
          eb('survivor_id', 'in', [row.survivor_id, row.merged_id]),
          eb('merged_id', 'in', [row.survivor_id, row.merged_id]),
        ]),
      )
      .executeTakeFirst();
    if (later) throw new Conflict(`undo the later merge ${later.id} first`);
    const { identities, conversations } = row.moved;
    if (identities.length) {
      await trx
        .updateTable('identities')
        .set({ customer_id: row.merged_id })
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', identities)
        .execute();
    }
    if (conversations.length) {
      await trx
        .updateTable('conversations')
        .set({ customer_id: row.merged_id })
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', conversations)
        .execute();
    }
    await trx
      .updateTable('customers')
      .set({ merged_into: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', row.merged_id)
      .execute();
    if (row.moved.survivorDisplayName !== undefined) {
      await trx
        .updateTable('customers')
        .set({ display_name: row.moved.survivorDisplayName })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', row.survivor_id)
        .execute();
    }
    const undone = await trx
      .updateTable('customer_merges')
      .set({ status: 'undone', undone_by: actorTag(actor), undone_at: new Date() })
      .where('id', '=', mergeId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, {
      tenantId,
      actorId: actor.userId,
      action: 'customer.unmerged',
      targetType: 'customer',
      targetId: row.survivor_id,
      detail: { mergeId, mergedId: row.merged_id },
      ip: actor.ip,
    });
    await uow.emit({
      tenantId,
      type: 'customer.unmerged',
      aggregateType: 'customer',
      aggregateId: row.survivor_id,
      payload: { mergeId, customerId: row.survivor_id, restoredId: row.merged_id },
      actor: actorTag(actor),
    });
    return toMerge(undone);
  });
  // Both are themselves again, and apart for good: the engine never proposes them again.
  await customersSeparated(deps, actor.tenantId, undone.survivorId, undone.mergedId);
  await customersChanged(deps, actor.tenantId, [undone.survivorId, undone.mergedId]);
  return undone;
}

/** Every merge that touched this customer, newest first: the evidence behind who it is. */
export async function mergesOf(
  deps: Pick<StoreDeps, 'db'>,
  actor: Actor,
  customerId: string,
): Promise<Merge[]> {
  await findInTenant(deps.db, 'customers', actor.tenantId, customerId, { entity: 'customer' });
  const rows = await deps.db
    .selectFrom('customer_merges')
    .selectAll()
    .where('tenant_id', '=', actor.tenantId)
    .where((eb) => eb.or([eb('survivor_id', '=', customerId), eb('merged_id', '=', customerId)]))
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toMerge);
}
