import { Conflict, newId } from '../core/index.js';
import type { Trx } from '../storage/index.js';
import { type Customer, loadCustomer, toCustomer } from './customers.js';
import { type IdentityRef, normalizeIdentity, ownerOf } from './identities.js';
import type { IdentifierOptions } from './normalize/index.js';

export interface Resolved {
  customer: Customer;
  created: boolean;
}

/**
 * Finds the customer who owns an identity, or creates one, inside the caller's transaction.
 * The identity insert is ON CONFLICT DO NOTHING on (tenant_id, kind, value): when two first
 * messages race, the loser waits for the winner's commit, finds its identity, and drops the
 * customer row it had inserted, so one identity always makes exactly one customer.
 */
export async function resolveCustomerByIdentity(
  trx: Trx,
  tenantId: string,
  ref: IdentityRef,
  displayName?: string,
  options: IdentifierOptions = {},
): Promise<Resolved> {
  const norm = normalizeIdentity(ref, options);
  const existing = await ownerOf(trx, tenantId, norm);
  if (existing) return { customer: await loadCustomer(trx, tenantId, existing), created: false };

  const customerId = newId();
  const name = displayName?.trim() ?? '';
  const row = await trx
    .insertInto('customers')
    .values({ id: customerId, tenant_id: tenantId, display_name: name, tier: 0, attributes: '{}' })
    .returningAll()
    .executeTakeFirstOrThrow();
  const inserted = await trx
    .insertInto('identities')
    .values({ id: newId(), tenant_id: tenantId, customer_id: customerId, ...norm, verified: false })
    .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'value']).doNothing())
    .returningAll()
    .executeTakeFirst();
  // A new customer is exactly what was just written: no need to read it back.
  if (inserted) return { customer: toCustomer(row, [inserted]), created: true };

  await trx.deleteFrom('customers').where('tenant_id', '=', tenantId).where('id', '=', customerId).execute();
  const winner = await ownerOf(trx, tenantId, norm);
  if (!winner) throw new Conflict(`the ${norm.kind} identity "${norm.value}" is being removed; try again`);
  return { customer: await loadCustomer(trx, tenantId, winner), created: false };
}
