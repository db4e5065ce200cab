import { type Actor, actorTag, newId } from '../core/index.js';
import { findInTenant, type StoreDeps } from '../storage/index.js';
import { type IdentityRef, normalizeIdentity } from './identities.js';
import { mergeCustomers } from './merge.js';
import { normalizeName } from './normalize/index.js';
import { suggestMerge } from './suggestions.js';
import { identifierOptionsOf } from './tenant-model.js';

/**
 * A customer who writes "我的手机号是 138 0013 8000" tells us an identifier. Unowned, it joins the
 * customer as an unverified identity; owned by another customer whose name agrees (or who has
 * none), the two are the same person and are merged, the older customer surviving, with the
 * mention as evidence. Names that disagree (a spouse's phone, a colleague's e-mail) never merge:
 * the pair goes to the supervisors' review queue instead.
 */
export interface MentionOutcome {
  attached: IdentityRef[];
  merged: { survivorId: string; mergedId: string; mergeId: string }[];
}

type NameAgreement = 'same' | 'unknown' | 'different';

function compareNames(a: string, b: string): NameAgreement {
  const ka = normalizeName(a);
  const kb = normalizeName(b);
  if (!ka?.tokens.length || !kb?.tokens.length) return 'unknown';
  if (ka.tokens.join(' ') === kb.tokens.join(' ')) return 'same';
  // 张先生 and 张伟: a bare surname agrees with a full name that starts with it.
  if (
    ka.surname &&
    kb.surname &&
    ka.surname === kb.surname &&
    (ka.tokens.length === 1 || kb.tokens.length === 1)
  ) {
    return 'same';
  }
  return 'different';
}

export async function linkMentionedIdentifiers(
  deps: StoreDeps,
  actor: Actor,
  customerId: string,
  mentions: IdentityRef[],
): Promise<MentionOutcome> {
  const outcome: MentionOutcome = { attached: [], merged: [] };
  const options = await identifierOptionsOf(deps.db, actor.tenantId);
  let current = customerId;
  for (const mention of mentions) {
    const ref = normalizeIdentity(mention, options);
    const me = await findInTenant(deps.db, 'customers', actor.tenantId, current, { entity: 'customer' });
    const owner = await deps.db
      .selectFrom('identities')
      .select('customer_id')
      .where('tenant_id', '=', actor.tenantId)
      .where('kind', '=', ref.kind)
      .where('value', '=', ref.value)
      .executeTakeFirst();
    if (!owner) {
      await deps.outbox.transact(async (uow) => {
        const inserted = await uow.trx
          .insertInto('identities')
          .values({ id: newId(), tenant_id: actor.tenantId, customer_id: current, ...ref, verified: false })
          .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'value']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) return;
        outcome.attached.push(ref);
        await uow.emit({
          tenantId: actor.tenantId,
          type: 'customer.identity_added',
          aggregateType: 'customer',
          aggregateId: current,
          payload: { customerId: current, identityId: inserted.id, ...ref, source: 'mentioned' },
          actor: actorTag(actor),
        });
      });
      continue;
    }
    if (owner.customer_id === current) continue;
    const other = await findInTenant(deps.db, 'customers', actor.tenantId, owner.customer_id, {
      entity: 'customer',
    });
    const agreement = compareNames(me.display_name, other.display_name);
    if (other.merged_into) continue;
    if (agreement === 'different') {
      // A shared number under different names: a household, or a typo in a name. A person decides.
      await suggestMerge(deps, actor, {
        customerIds: [me.id, other.id],
        confidence: 0.5,
        evidence: {
          source: 'deterministic',
          identifiers: [ref],
          fields: [{ field: 'name', level: 'different', weight: -4 }],
          note: `the customer wrote the ${ref.kind} ${ref.value}, which belongs to ${other.display_name || 'another customer'}`,
        },
      });
      continue;
    }
    // The older customer survives, so the record agents already know keeps its id.
    const [survivor, merged] = other.id < me.id ? [other, me] : [me, other];
    const merge = await mergeCustomers(deps, actor, {
      survivorId: survivor.id,
      mergedId: merged.id,
      confidence: agreement === 'same' ? 0.97 : 0.9,
      evidence: {
        source: 'deterministic',
        identifiers: [ref],
        fields: [{ field: 'name', level: agreement, weight: agreement === 'same' ? 4 : 0 }],
        note: `the customer wrote the ${ref.kind} ${ref.value} in a message`,
      },
    });
    outcome.merged.push({ survivorId: survivor.id, mergedId: merged.id, mergeId: merge.id });
    current = survivor.id;
  }
  return outcome;
}
