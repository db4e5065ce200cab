import {
  type Actor,
  actorTag,
  Conflict,
  InvalidInput,
  NotFound,
  newId,
  type Page,
  type PageRequest,
  pageLimit,
} from '../core/index.js';
import { type Db, isUniqueViolation, type Row, type StoreDeps, type Trx } from '../storage/index.js';

export const IDENTITY_KINDS = [
  'phone',
  'email',
  'device',
  'wechat_openid',
  'wechat_unionid',
  'whatsapp',
  'telegram',
  'messenger',
  'app_user',
] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export interface IdentityRef {
  kind: IdentityKind;
  value: string;
}

export interface Identity extends IdentityRef {
  id: string;
  verified: boolean;
  createdAt: string;
}

export interface Customer {
  id: string;
  tenantId: string;
  displayName: string;
  tier: number;
  attributes: Record<string, unknown>;
  identities: Identity[];
  createdAt: string;
  updatedAt: string;
}

export interface NewIdentity extends IdentityRef {
  verified?: boolean | undefined;
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

function toIdentity(row: Row<'identities'>): Identity {
  return {
    id: row.id,
    kind: row.kind as IdentityKind,
    value: row.value,
    verified: row.verified,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function toCustomer(row: Row<'customers'>, identities: Row<'identities'>[]): Customer {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    displayName: row.display_name,
    tier: row.tier,
    attributes: row.attributes,
    identities: identities.map(toIdentity),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Minimal for now (trim; e-mail is case-insensitive); per-kind normalizers come with matching. */
export function normalizeIdentity(ref: IdentityRef): IdentityRef {
  const trimmed = ref.value.trim();
  const value = ref.kind === 'email' ? trimmed.toLowerCase() : trimmed;
  if (!value) throw new InvalidInput(`a ${ref.kind} identity needs a value`, 'value');
  return { kind: ref.kind, value };
}

function identityTaken(ref: IdentityRef, ownerId: string): Conflict {
  const err = new Conflict(`the ${ref.kind} identity "${ref.value}" already belongs to customer ${ownerId}`);
  err.extra.identity = ref;
  err.extra.customerId = ownerId;
  return err;
}

/**
 * A concurrent writer took an identity between our check and our insert: the unique key
 * (tenant_id, kind, value) refused it and the transaction rolled back, so report a conflict.
 */
async function refuseIdentityRace<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isUniqueViolation(err, 'identities')) {
      throw new Conflict('an identity was just taken by another customer; nothing was written');
    }
    throw err;
  }
}

async function ownerOf(trx: Db | Trx, tenantId: string, ref: IdentityRef) {
  const row = await trx
    .selectFrom('identities')
    .select('customer_id')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', ref.kind)
    .where('value', '=', ref.value)
    .executeTakeFirst();
  return row?.customer_id;
}

/** Customers with their identities, in two queries whatever the number of customers. */
async function withIdentities(db: Db | Trx, tenantId: string, rows: Row<'customers'>[]): Promise<Customer[]> {
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

async function loadCustomer(db: Db | Trx, tenantId: string, id: string): Promise<Customer> {
  const row = await db
    .selectFrom('customers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFound('customer', id);
  const [customer] = await withIdentities(db, tenantId, [row]);
  return customer!;
}

async function insertIdentities(trx: Trx, tenantId: string, customerId: string, list: NewIdentity[]) {
  const refs = list.map((i) => ({ ...normalizeIdentity(i), verified: i.verified ?? false }));
  const seen = new Set<string>();
  for (const r of refs) {
    const key = `${r.kind}\u0000${r.value}`;
    if (seen.has(key))
      throw new InvalidInput(`the ${r.kind} identity "${r.value}" is listed twice`, 'identities');
    seen.add(key);
  }
  for (const r of refs) {
    const owner = await ownerOf(trx, tenantId, r);
    if (owner) throw identityTaken(r, owner);
  }
  if (refs.length === 0) return [];
  return trx
    .insertInto('identities')
    .values(refs.map((r) => ({ id: newId(), tenant_id: tenantId, customer_id: customerId, ...r })))
    .returningAll()
    .execute();
}

export async function createCustomer(deps: StoreDeps, actor: Actor, input: NewCustomer): Promise<Customer> {
  return refuseIdentityRace(
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
      const identities = await insertIdentities(uow.trx, actor.tenantId, row.id, input.identities ?? []);
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
  let q = db.selectFrom('customers').selectAll().where('tenant_id', '=', actor.tenantId);
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
    items: await withIdentities(db, actor.tenantId, kept),
    nextCursor: rows.length > limit ? (kept.at(-1)?.id ?? null) : null,
  };
}

export async function updateCustomer(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  changes: CustomerChanges,
): Promise<Customer> {
  return deps.outbox.transact(async (uow) => {
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
}

export async function addIdentity(deps: StoreDeps, actor: Actor, customerId: string, input: NewIdentity) {
  return refuseIdentityRace(
    deps.outbox.transact(async (uow): Promise<Identity> => {
      await loadCustomer(uow.trx, actor.tenantId, customerId);
      const [row] = await insertIdentities(uow.trx, actor.tenantId, customerId, [input]);
      const identity = toIdentity(row!);
      await uow.emit({
        tenantId: actor.tenantId,
        type: 'customer.identity_added',
        aggregateType: 'customer',
        aggregateId: customerId,
        payload: { customerId, identityId: identity.id, kind: identity.kind, value: identity.value },
        actor: actorTag(actor),
      });
      return identity;
    }),
  );
}

export async function removeIdentity(deps: StoreDeps, actor: Actor, customerId: string, identityId: string) {
  await deps.outbox.transact(async (uow) => {
    const row = await uow.trx
      .deleteFrom('identities')
      .where('tenant_id', '=', actor.tenantId)
      .where('customer_id', '=', customerId)
      .where('id', '=', identityId)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new NotFound('identity', identityId);
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'customer.identity_removed',
      aggregateType: 'customer',
      aggregateId: customerId,
      payload: { customerId, identityId, kind: row.kind, value: row.value },
      actor: actorTag(actor),
    });
  });
}

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
): Promise<Resolved> {
  const norm = normalizeIdentity(ref);
  const existing = await ownerOf(trx, tenantId, norm);
  if (existing) return { customer: await loadCustomer(trx, tenantId, existing), created: false };

  const customerId = newId();
  const name = displayName?.trim() ?? '';
  await trx
    .insertInto('customers')
    .values({ id: customerId, tenant_id: tenantId, display_name: name, tier: 0, attributes: '{}' })
    .execute();
  const inserted = await trx
    .insertInto('identities')
    .values({ id: newId(), tenant_id: tenantId, customer_id: customerId, ...norm, verified: false })
    .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'value']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { customer: await loadCustomer(trx, tenantId, customerId), created: true };

  await trx.deleteFrom('customers').where('tenant_id', '=', tenantId).where('id', '=', customerId).execute();
  const winner = await ownerOf(trx, tenantId, norm);
  if (!winner) throw new Conflict(`the ${norm.kind} identity "${norm.value}" is being removed; try again`);
  return { customer: await loadCustomer(trx, tenantId, winner), created: false };
}
