// Dialled numbers (our DIDs) and the flow each one answers with. A number reaches exactly one
// tenant, so it is unique across tenants and also tells an inbound call whose it is.
import { type Actor, actorTag, Conflict, InvalidInput, NotFound } from '../../core/index.js';
import { normalizeIdentity } from '../../identity/index.js';
import { auditBy } from '../../security/index.js';
import { type Db, isUniqueViolation, type StoreDeps } from '../../storage/index.js';

export interface VoiceNumber {
  number: string;
  flowId: string;
  updatedAt: string;
}

const E164 = /^\+[1-9][0-9]{6,14}$/;

/** `+86 400 000 0000`, `+86-4000000000` → `+864000000000`; anything that is not E.164 is refused. */
export function e164(number: string): string {
  const value = normalizeIdentity({ kind: 'phone', value: number }).value;
  if (!E164.test(value))
    throw new InvalidInput(`${number} is not a phone number in E.164 form (+country…)`, 'number');
  return value;
}

export async function listNumbers(db: Db, actor: Actor): Promise<{ items: VoiceNumber[] }> {
  const rows = await db
    .selectFrom('voice_numbers')
    .selectAll()
    .where('tenant_id', '=', actor.tenantId)
    .orderBy('number')
    .execute();
  return {
    items: rows.map((r) => ({
      number: r.number,
      flowId: r.flow_id,
      updatedAt: new Date(r.updated_at).toISOString(),
    })),
  };
}

/** Points a number at a flow of the tenant (adding the number when it is new). */
export async function setNumber(
  deps: StoreDeps,
  actor: Actor,
  number: string,
  flowId: string,
): Promise<VoiceNumber> {
  const value = e164(number);
  try {
    return await deps.outbox.transact(async ({ trx }) => {
      const flow = await trx
        .selectFrom('ivr_flows')
        .select('id')
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', flowId)
        .limit(1)
        .executeTakeFirst();
      if (!flow) throw new NotFound('IVR flow', flowId);
      const now = new Date();
      const row = await trx
        .insertInto('voice_numbers')
        .values({ number: value, tenant_id: actor.tenantId, flow_id: flowId })
        .onConflict((oc) =>
          oc
            .column('number')
            .doUpdateSet({ flow_id: flowId, updated_at: now })
            // Another tenant's number is left alone (and reported below).
            .where('voice_numbers.tenant_id', '=', actor.tenantId),
        )
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new Conflict(`${value} is used by another account`);
      await auditBy(trx, actor, 'voice_number.set', 'voice_number', value, { flowId, by: actorTag(actor) });
      return { number: row.number, flowId: row.flow_id, updatedAt: new Date(row.updated_at).toISOString() };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(`${value} is used by another account`);
    throw err;
  }
}

export async function deleteNumber(deps: StoreDeps, actor: Actor, number: string): Promise<void> {
  const value = e164(number);
  await deps.outbox.transact(async ({ trx }) => {
    const gone = await trx
      .deleteFrom('voice_numbers')
      .where('tenant_id', '=', actor.tenantId)
      .where('number', '=', value)
      .returning('flow_id')
      .executeTakeFirst();
    if (!gone) throw new NotFound('number', value);
    await auditBy(trx, actor, 'voice_number.deleted', 'voice_number', value, { flowId: gone.flow_id });
  });
}

/** Whose number was dialled and which flow answers it; undefined for a number nobody has. */
export async function numberOwner(
  db: Db,
  dialled: string,
): Promise<{ tenantId: string; flowId: string } | undefined> {
  let value: string;
  try {
    value = e164(dialled);
  } catch {
    return undefined;
  }
  const row = await db
    .selectFrom('voice_numbers')
    .select(['tenant_id', 'flow_id'])
    .where('number', '=', value)
    .executeTakeFirst();
  return row && { tenantId: row.tenant_id, flowId: row.flow_id };
}
