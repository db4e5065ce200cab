import {
  type Actor,
  actorTag,
  Conflict,
  NotFound,
  newId,
  type Page,
  type PageRequest,
  pageLimit,
  toPage,
} from '../core/index.js';
import { audit } from '../security/index.js';
import { isUniqueViolation, type Row, type StoreDeps, type Trx } from '../storage/index.js';
import { customersSeparated } from './live.js';
import { type Merge, type MergeEvidence, mergeCustomers } from './merge.js';

/**
 * The review queue: pairs of customers that may be one person, below the confidence at which we
 * merge on our own. A supervisor accepts (then they are merged with this evidence) or rejects.
 */
export interface MergeSuggestion {
  id: string;
  customerIds: [string, string];
  confidence: number;
  evidence: MergeEvidence;
  status: 'pending' | 'accepted' | 'rejected';
  createdAt: string;
  decidedBy: string | null;
}

function toSuggestion(row: Row<'merge_suggestions'>): MergeSuggestion {
  return {
    id: row.id,
    customerIds: [row.customer_a, row.customer_b],
    confidence: row.confidence,
    evidence: row.evidence as unknown as MergeEvidence,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    decidedBy: row.decided_by,
  };
}

/** Records the question once per pair; asking again while it is open changes nothing. */
export async function suggestMerge(
  deps: StoreDeps,
  actor: Actor,
  input: { customerIds: [string, string]; confidence: number; evidence: MergeEvidence },
): Promise<void> {
  const [a, b] = [...input.customerIds].sort() as [string, string];
  try {
    await deps.outbox.transact(async (uow) => {
      const row = await uow.trx
        .insertInto('merge_suggestions')
        .values({
          id: newId(),
          tenant_id: actor.tenantId,
          customer_a: a,
          customer_b: b,
          confidence: input.confidence,
          evidence: JSON.stringify(input.evidence),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await uow.emit({
        tenantId: actor.tenantId,
        type: 'customer.merge_suggested',
        aggregateType: 'customer',
        aggregateId: a,
        payload: { suggestionId: row.id, customerIds: [a, b], confidence: input.confidence },
        actor: actorTag(actor),
      });
    });
  } catch (err) {
    if (!isUniqueViolation(err, 'merge_suggestions_pending')) throw err;
  }
}

export async function listSuggestions(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  req: PageRequest & { status?: 'pending' | 'accepted' | 'rejected' | undefined },
): Promise<Page<MergeSuggestion>> {
  const limit = pageLimit(req);
  let q = db
    .selectFrom('merge_suggestions')
    .selectAll()
    .where('tenant_id', '=', actor.tenantId)
    .where('status', '=', req.status ?? 'pending');
  if (req.cursor) q = q.where('id', '>', req.cursor);
  const rows = await q
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, toSuggestion);
}

async function decide(trx: Trx, actor: Actor, id: string, status: 'accepted' | 'rejected') {
  const row = await trx
    .selectFrom('merge_suggestions')
    .selectAll()
    .where('tenant_id', '=', actor.tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new NotFound('merge suggestion', id);
  if (row.status !== 'pending') throw new Conflict(`merge suggestion ${id} was already ${row.status}`);
  await trx
    .updateTable('merge_suggestions')
    .set({ status, decided_by: actorTag(actor), decided_at: new Date() })
    .where('id', '=', id)
    .execute();
  await audit(trx, {
    tenantId: actor.tenantId,
    actorId: actor.userId,
    action: `customer.merge_suggestion_${status}`,
    targetType: 'merge_suggestion',
    targetId: id,
    ip: actor.ip,
  });
  return row;
}

/** Rejecting separates the pair for good: the engine never suggests or merges them again (other processes hear it on the bus). */
export async function rejectSuggestion(deps: StoreDeps, actor: Actor, id: string): Promise<void> {
  const row = await deps.outbox.transact(async (uow) => {
    const row = await decide(uow.trx, actor, id, 'rejected');
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'customer.merge_suggestion_rejected',
      aggregateType: 'customer',
      aggregateId: row.customer_a,
      payload: { suggestionId: id, customerIds: [row.customer_a, row.customer_b] },
      actor: actorTag(actor),
    });
    return row;
  });
  await customersSeparated(deps, actor.tenantId, row.customer_a, row.customer_b);
}

/** Accepting merges the pair, the older customer surviving, with the suggestion's evidence. */
export async function acceptSuggestion(deps: StoreDeps, actor: Actor, id: string): Promise<Merge> {
  const row = await deps.outbox.transact((uow) => decide(uow.trx, actor, id, 'accepted'));
  const evidence = row.evidence as unknown as MergeEvidence;
  return mergeCustomers(deps, actor, {
    survivorId: row.customer_a,
    mergedId: row.customer_b,
    confidence: row.confidence,
    evidence: { ...evidence, note: `${evidence.note ?? ''} (reviewed by ${actorTag(actor)})`.trim() },
  });
}
