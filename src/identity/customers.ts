import {
  type Actor,
  actorTag,
  NotFound,
  newId,
  type Page,
  type PageRequest,
  pageLimit,
} from '../core/index.js';
import { type Db, findInTenant, type Row, type StoreDeps, type Trx } from '../storage/index.js';
import {
  type Identity,
  insertIdentities,
  type NewIdentity,
  refuseIdentityRace,
  toIdentity,
} from './identities.js';
import { customersChanged } from './live.js';
import { identifierOptionsOf } from './tenant-model.js';

export interface Customer {
  id: string;
  tenantId: string;
  displayName: string;
  tier: number;
  attributes: Record<string, unknown>;
  identities: Identity[];
  /** Set when this customer was merged into another: look there. */
  mergedInto: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewCustomer {
  displayName?: string | undefined;
  tier?: number | undefined;
  attributes?: Record<string, unknown> | undefined;
  identities?: NewIdentity[] | undefined;
}

export interface CustomerChanges {
  displayName?: string | undefined;
  tier?: number | undefined;
  /** Replaces the whole attributes object. */
  attributes?: Record<string, unknown> | undefined;
}

export function toCustomer(row: Row<'customers'>, identities: Row<'identities'>[]): Customer {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    displayName: row.display_name,
    tier: row.tier,
    attributes: row.attributes,
    identities: identities.map(toIdentity),
    mergedInto: row.merged_into ?? null,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Customers with their identities, in two queries whatever the number of customers. */
export async function loadCustomers(
  db: Db | Trx,
  tenantId: string,
  rows: Row<'customers'>[],
): Promise<Customer[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const all = await db
    .selectFrom('identities')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('customer_id', 'in', ids)
    .orderBy('id')
    .execute();
  return rows.map((r) =>
    toCustomer(
      r,
      all.filter((i) => i.customer_id === r.id),
    ),
  );
}

export async function loadCustomer(db: Db | Trx, tenantId: string, id: string): Promise<Customer> {
  const row = await findInTenant(db, 'customers', tenantId, id);
  const [customer] = await loadCustomers(db, tenantId, [row]);
  return customer!;
}

export async function createCustomer(deps: StoreDeps, actor: Actor, input: NewCustomer): Promise<Customer> {
  const options = await identifierOptionsOf(deps.db, actor.tenantId);
  const created = await refuseIdentityRace(
    deps.outbox.transact(async (uow) => {
      const row = await uow.trx
        .insertInto('customers')
        .values({
          id: newId(),
          tenant_id: actor.tenantId,
          display_name: input.displayName?.trim() ?? '',
          tier: input.tier ?? 0,
          attributes: JSON.stringify(input.attributes ?? {}),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const identities = await insertIdentities(
        uow.trx,
        actor.tenantId,
        row.id,
        input.identities ?? [],
        options,
      );
      const customer = toCustomer(row, identities);
      await uow.emit({
        tenantId: actor.tenantId,
        type: 'customer.created',
        aggregateType: 'customer',
        aggregateId: customer.id,
        payload: { id: customer.id, displayName: customer.displayName, identities: identities.length },
        actor: actorTag(actor),
      });
      return customer;
    }),
  );
  // A candidate for the customers who write in later (it is not itself matched: a person created it).
  await customersChanged(deps, actor.tenantId, [created.id]);
  return created;
}

export async function getCustomer(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  id: string,
): Promise<Customer> {
  return loadCustomer(db, actor.tenantId, id);
}

/** `q` matches a display-name prefix (case-insensitive) or one exact identity value. */
export async function listCustomers(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  req: PageRequest & { q?: string | undefined },
): Promise<Page<Customer>> {
  const limit = pageLimit(req);
  // A customer merged into another lives on only for unmerge; lists show the survivor.
  let q = db
    .selectFrom('customers')
    .selectAll()
    .where('tenant_id', '=', actor.tenantId)
    .where('merged_into', 'is', null);
  const term = req.q?.trim();
  if (term) {
    const prefix = `${term.replace(/[\\%_]/g, '\\$&')}%`;
    const values = [...new Set([term, term.toLowerCase()])];
    q = q.where((eb) =>
      eb.or([
        eb('display_name', 'ilike', prefix),
        eb(
          'id',
          'in',
          eb
            .selectFrom('identities')
            .select('customer_id')
            .where('tenant_id', '=', actor.tenantId)
            .where('value', 'in', values),
        ),
      ]),
    );
  }
  if (req.cursor) q = q.where('id', '>', req.cursor);
  const rows = await q
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const kept = rows.slice(0, limit);
  return {
    items: await loadCustomers(db, actor.tenantId, kept),
    nextCursor: rows.length > limit ? (kept.at(-1)?.id ?? null) : null,
  };
}

export async function updateCustomer(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  changes: CustomerChanges,
): Promise<Customer> {
  const updated = await deps.outbox.transact(async (uow) => {
    const row = await uow.trx
      .updateTable('customers')
      .set({
        ...(changes.displayName !== undefined && { display_name: changes.displayName.trim() }),
        ...(changes.tier !== undefined && { tier: changes.tier }),
        ...(changes.attributes !== undefined && { attributes: JSON.stringify(changes.attributes) }),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new NotFound('customer', id);
    const customer = await loadCustomer(uow.trx, actor.tenantId, id);
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'customer.updated',
      aggregateType: 'customer',
      aggregateId: id,
      payload: { id, changed: Object.keys(changes), displayName: customer.displayName, tier: customer.tier },
      actor: actorTag(actor),
    });
    return customer;
  });
  if (changes.displayName !== undefined || changes.attributes !== undefined)
    await customersChanged(deps, actor.tenantId, [id]);
  return updated;
}
