// The SIP phone an agent takes calls on when not in the browser softphone: a URI call control dials.
import { type Actor, actorTag, Forbidden, InvalidInput, roleAtLeast } from '../../core/index.js';
import { auditBy } from '../../security/index.js';
import { type Db, findInTenant, type StoreDeps } from '../../storage/index.js';

/** sip:1001@10.0.0.5:5060, sip:agent@pbx.example.com;transport=tcp (no spaces, no header parameters). */
const SIP_URI = /^sips?:[^\s@<>"]+@[^\s@<>"?]+$/i;

export interface AgentPhone {
  userId: string;
  uri: string | null;
}

function mayManage(actor: Actor, userId: string): void {
  if (actor.userId !== userId && !roleAtLeast(actor.role, 'admin'))
    throw new Forbidden("only the agent or an admin may change an agent's phone");
}

export async function agentPhoneOf(db: Db, tenantId: string, userId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('voice_agent_phones')
    .select('uri')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.uri;
}

export async function getAgentPhone(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  userId: string,
): Promise<AgentPhone> {
  if (actor.userId !== userId && !roleAtLeast(actor.role, 'supervisor'))
    throw new Forbidden("only the agent or a supervisor may read an agent's phone");
  await findInTenant(db, 'users', actor.tenantId, userId, { entity: 'user' });
  return { userId, uri: (await agentPhoneOf(db, actor.tenantId, userId)) ?? null };
}

/** Sets (or with null removes) the agent's SIP phone; audited. */
export async function setAgentPhone(
  deps: StoreDeps,
  actor: Actor,
  userId: string,
  uri: string | null,
): Promise<AgentPhone> {
  mayManage(actor, userId);
  const value = uri?.trim() || null;
  if (value !== null && (!SIP_URI.test(value) || value.length > 500))
    throw new InvalidInput('the phone must be a SIP URI such as sip:1001@10.0.0.5:5060', 'uri');
  return deps.outbox.transact(async (uow) => {
    await findInTenant(uow.trx, 'users', actor.tenantId, userId, { entity: 'user' });
    if (value === null)
      await uow.trx
        .deleteFrom('voice_agent_phones')
        .where('tenant_id', '=', actor.tenantId)
        .where('user_id', '=', userId)
        .execute();
    else
      await uow.trx
        .insertInto('voice_agent_phones')
        .values({ tenant_id: actor.tenantId, user_id: userId, uri: value })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'user_id']).doUpdateSet({ uri: value, updated_at: new Date() }),
        )
        .execute();
    await auditBy(uow.trx, actor, 'agent.phone_changed', 'user', userId, { uri: value });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'agent.phone_changed',
      aggregateType: 'user',
      aggregateId: userId,
      payload: { userId, uri: value },
      actor: actorTag(actor),
    });
    return { userId, uri: value };
  });
}
