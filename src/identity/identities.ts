import { type Actor, actorTag, Conflict, InvalidInput, NotFound, newId } from '../core/index.js';
import {
  type Db,
  findInTenant,
  isUniqueViolation,
  type Row,
  type StoreDeps,
  type Trx,
} from '../storage/index.js';
import { customersChanged } from './live.js';
import { type IdentifierOptions, normalizeIdentifier } from './normalize/index.js';
import { identifierOptionsOf } from './tenant-model.js';

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

export interface NewIdentity extends IdentityRef {
  verified?: boolean | undefined;
}

export function toIdentity(row: Row<'identities'>): Identity {
  return {
    id: row.id,
    kind: row.kind as IdentityKind,
    value: row.value,
    verified: row.verified,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * One spelling per identifier, so that `+86 138 0013 8000`, `0086-13800138000` and `13800138000`
 * are one phone (E.164) and e-mail case does not matter. A value the normalizer cannot read
 * (an SMS short code, an alphanumeric sender) is kept as given, trimmed: never lose a message over it.
 */
export function normalizeIdentity(ref: IdentityRef, options: IdentifierOptions = {}): IdentityRef {
  const trimmed = ref.value.trim();
  if (!trimmed) throw new InvalidInput(`a ${ref.kind} identity needs a value`, 'value');
  return { kind: ref.kind, value: normalizeIdentifier(ref.kind, trimmed, options) ?? trimmed };
}

export function identityTaken(ref: IdentityRef, ownerId: string): Conflict {
  const err = new Conflict(`the ${ref.kind} identity "${ref.value}" already belongs to customer ${ownerId}`);
  err.extra.identity = ref;
  err.extra.customerId = ownerId;
  return err;
}

/**
 * A concurrent writer took an identity between our check and our insert: the unique key
 * (tenant_id, kind, value) refused it and the transaction rolled back, so report a conflict.
 */
export async function refuseIdentityRace<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isUniqueViolation(err, 'identities')) {
      throw new Conflict('an identity was just taken by another customer; nothing was written');
    }
    throw err;
  }
}

export async function ownerOf(trx: Db | Trx, tenantId: string, ref: IdentityRef) {
  const row = await trx
    .selectFrom('identities')
    .select('customer_id')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', ref.kind)
    .where('value', '=', ref.value)
    .executeTakeFirst();
  return row?.customer_id;
}

export async function insertIdentities(
  trx: Trx,
  tenantId: string,
  customerId: string,
  list: NewIdentity[],
  options: IdentifierOptions = {},
) {
  const refs = list.map((i) => ({ ...normalizeIdentity(i, options), verified: i.verified ?? false }));
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

export async function addIdentity(deps: StoreDeps, actor: Actor, customerId: string, input: NewIdentity) {
  const options = await identifierOptionsOf(deps.db, actor.tenantId);
  const identity = await refuseIdentityRace(
    deps.outbox.transact(async (uow): Promise<Identity> => {
      await findInTenant(uow.trx, 'customers', actor.tenantId, customerId);
      const [row] = await insertIdentities(uow.trx, actor.tenantId, customerId, [input], options);
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
  await customersChanged(deps, actor.tenantId, [customerId]);
  return identity;
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
  await customersChanged(deps, actor.tenantId, [customerId]);
}
