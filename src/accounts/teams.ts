import {
  type Actor,
  actorTag,
  NotFound,
  newId,
  type Page,
  type PageRequest,
  pageLimit,
  toPage,
} from '../core/index.js';
import { auditBy } from '../security/index.js';
import {
  assertNameFree,
  cleanName,
  type Db,
  findInTenant,
  type Row,
  type StoreDeps,
  type Trx,
} from '../storage/index.js';

export interface Team {
  id: string;
  tenantId: string;
  name: string;
  createdAt: string;
}

export interface TeamWithMembers extends Team {
  memberIds: string[];
}

export function toTeam(row: Row<'teams'>): Team {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

async function lockTeam(trx: Trx, tenantId: string, id: string): Promise<Row<'teams'>> {
  const row = await findInTenant(trx, 'teams', tenantId, id, { lock: true });
  return row;
}

async function memberIdsOf(db: Db, teamId: string): Promise<string[]> {
  const rows = await db.selectFrom('team_members').select('user_id').where('team_id', '=', teamId).execute();
  return rows.map((r) => r.user_id).sort();
}

export async function createTeam(
  deps: StoreDeps,
  actor: Actor,
  input: { name: string },
): Promise<TeamWithMembers> {
  const name = cleanName(input.name);
  return deps.outbox.transact(async (uow) => {
    await assertNameFree(uow.trx, 'teams', actor.tenantId, name);
    const row = await uow.trx
      .insertInto('teams')
      .values({ id: newId(), tenant_id: actor.tenantId, name })
      .returningAll()
      .executeTakeFirstOrThrow();
    const team = toTeam(row);
    await auditBy(uow.trx, actor, 'team.created', 'team', team.id, { name });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'team.created',
      aggregateType: 'team',
      aggregateId: team.id,
      payload: { id: team.id, name },
      actor: actorTag(actor),
    });
    return { ...team, memberIds: [] };
  });
}

export async function getTeam(
  deps: Pick<StoreDeps, 'db'>,
  actor: Actor,
  id: string,
): Promise<TeamWithMembers> {
  const row = await findInTenant(deps.db, 'teams', actor.tenantId, id);
  return { ...toTeam(row), memberIds: await memberIdsOf(deps.db, id) };
}

export async function listTeams(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  req: PageRequest,
): Promise<Page<Team>> {
  const limit = pageLimit(req);
  let q = db.selectFrom('teams').selectAll().where('tenant_id', '=', actor.tenantId);
  if (req.cursor) q = q.where('id', '>', req.cursor);
  const rows = await q
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, toTeam);
}

export async function updateTeam(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  changes: { name?: string | undefined },
): Promise<TeamWithMembers> {
  return deps.outbox.transact(async (uow) => {
    const current = await lockTeam(uow.trx, actor.tenantId, id);
    const name = changes.name === undefined ? current.name : cleanName(changes.name);
    if (name !== current.name) {
      await assertNameFree(uow.trx, 'teams', actor.tenantId, name, id);
      await uow.trx.updateTable('teams').set({ name }).where('id', '=', id).execute();
      await auditBy(uow.trx, actor, 'team.updated', 'team', id, { from: current.name, to: name });
      await uow.emit({
        tenantId: actor.tenantId,
        type: 'team.updated',
        aggregateType: 'team',
        aggregateId: id,
        payload: { id, name },
        actor: actorTag(actor),
      });
    }
    return { ...toTeam({ ...current, name }), memberIds: await memberIdsOf(uow.trx, id) };
  });
}

export async function deleteTeam(deps: StoreDeps, actor: Actor, id: string): Promise<void> {
  await deps.outbox.transact(async (uow) => {
    const current = await lockTeam(uow.trx, actor.tenantId, id);
    // team_members rows go with the team (ON DELETE CASCADE); users stay.
    await uow.trx.deleteFrom('teams').where('id', '=', id).execute();
    await auditBy(uow.trx, actor, 'team.deleted', 'team', id, { name: current.name });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'team.deleted',
      aggregateType: 'team',
      aggregateId: id,
      payload: { id, name: current.name },
      actor: actorTag(actor),
    });
  });
}

/** Replaces the whole membership. Every id must be a user of the caller's tenant, or nothing changes. */
export async function setTeamMembers(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  userIds: string[],
): Promise<TeamWithMembers> {
  const wanted = [...new Set(userIds)];
  return deps.outbox.transact(async (uow) => {
    const current = await lockTeam(uow.trx, actor.tenantId, id);
    if (wanted.length > 0) {
      const found = await uow.trx
        .selectFrom('users')
        .select('id')
        .where('tenant_id', '=', actor.tenantId)
        .where('id', 'in', wanted)
        .execute();
      const known = new Set(found.map((r) => r.id));
      const missing = wanted.find((u) => !known.has(u));
      if (missing) throw new NotFound('user', missing);
    }
    const before = await memberIdsOf(uow.trx, id);
    await uow.trx.deleteFrom('team_members').where('team_id', '=', id).execute();
    if (wanted.length > 0) {
      await uow.trx
        .insertInto('team_members')
        .values(wanted.map((userId) => ({ tenant_id: actor.tenantId, team_id: id, user_id: userId })))
        .execute();
    }
    const memberIds = wanted.sort();
    const added = memberIds.filter((u) => !before.includes(u));
    const removed = before.filter((u) => !memberIds.includes(u));
    await auditBy(uow.trx, actor, 'team.members_replaced', 'team', id, { added, removed });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'team.members_replaced',
      aggregateType: 'team',
      aggregateId: id,
      payload: { id, memberIds, added, removed },
      actor: actorTag(actor),
    });
    return { ...toTeam(current), memberIds };
  });
}
