import { type IdentityRef, normalizeIdentity } from '../identity/index.js';
import type { Db } from '../storage/index.js';

/**
 * The conversation a customer's next message would continue: their latest open or pending one,
 * found by any of the identities a channel knows them by. Ephemeral signals (typing) use it to say
 * which conversation they belong to; nothing is created when there is none.
 */
export async function currentConversationOf(
  db: Db,
  tenantId: string,
  identities: IdentityRef[],
): Promise<{ conversationId: string; customerId: string } | undefined> {
  const refs = identities.flatMap((ref) => {
    try {
      return [normalizeIdentity(ref)];
    } catch {
      return [];
    }
  });
  if (refs.length === 0) return undefined;
  const row = await db
    .selectFrom('identities as i')
    .innerJoin('conversations as c', (j) =>
      j.onRef('c.tenant_id', '=', 'i.tenant_id').onRef('c.customer_id', '=', 'i.customer_id'),
    )
    .select(['c.id', 'c.customer_id'])
    .where('i.tenant_id', '=', tenantId)
    .where((eb) => eb.or(refs.map((r) => eb.and([eb('i.kind', '=', r.kind), eb('i.value', '=', r.value)]))))
    .where('c.status', 'in', ['open', 'pending'])
    .orderBy('c.updated_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { conversationId: row.id, customerId: row.customer_id };
}
