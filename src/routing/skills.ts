import { getUser } from '../accounts/index.js';
import {
  type Actor,
  actorTag,
  InvalidInput,
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
} from '../storage/index.js';

export interface Skill {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  createdAt: string;
}

export interface NewSkill {
  name: string;
  description?: string | undefined;
}

export type SkillChanges = Partial<NewSkill>;

/** Proficiency runs 1 (novice) to 5 (expert), as the agent_skills CHECK constraint says. */
export interface AgentSkill {
  skillId: string;
  name: string;
  proficiency: number;
}

export interface AgentSkills {
  userId: string;
  skills: AgentSkill[];
}

export function toSkill(row: Row<'skills'>): Skill {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    description: row.description,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Throws NotFound naming the first id that is not a skill of the tenant. Shared with queues. */
export async function assertSkillsExist(db: Db, tenantId: string, skillIds: string[]): Promise<void> {
  if (skillIds.length === 0) return;
  const found = await db
    .selectFrom('skills')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', skillIds)
    .execute();
  const known = new Set(found.map((r) => r.id));
  const missing = skillIds.find((id) => !known.has(id));
  if (missing) throw new NotFound('skill', missing);
}

/** The same skill twice would violate the primary key; say so plainly instead. */
export function assertDistinctSkills(skillIds: string[], field: string): void {
  const seen = new Set<string>();
  for (const id of skillIds) {
    if (seen.has(id)) throw new InvalidInput(`skill ${id} is listed more than once`, field);
    seen.add(id);
  }
}

export async function createSkill(deps: StoreDeps, actor: Actor, input: NewSkill): Promise<Skill> {
  const name = cleanName(input.name);
  return deps.outbox.transact(async (uow) => {
    await assertNameFree(uow.trx, 'skills', actor.tenantId, name);
    const row = await uow.trx
      .insertInto('skills')
      .values({ id: newId(), tenant_id: actor.tenantId, name, description: input.description ?? '' })
      .returningAll()
      .executeTakeFirstOrThrow();
    const skill = toSkill(row);
    await auditBy(uow.trx, actor, 'skill.created', 'skill', skill.id, { name });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'skill.created',
      aggregateType: 'skill',
      aggregateId: skill.id,
      payload: { id: skill.id, name },
      actor: actorTag(actor),
    });
    return skill;
  });
}

export async function getSkill({ db }: Pick<StoreDeps, 'db'>, actor: Actor, id: string): Promise<Skill> {
  const row = await findInTenant(db, 'skills', actor.tenantId, id);
  return toSkill(row);
}

export async function listSkills(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  req: PageRequest,
): Promise<Page<Skill>> {
  const limit = pageLimit(req);
  let q = db.selectFrom('skills').selectAll().where('tenant_id', '=', actor.tenantId);
  if (req.cursor) q = q.where('id', '>', req.cursor);
  const rows = await q
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, toSkill);
}

export async function updateSkill(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  changes: SkillChanges,
): Promise<Skill> {
  const name = changes.name === undefined ? undefined : cleanName(changes.name);
  return deps.outbox.transact(async (uow) => {
    const current = await findInTenant(uow.trx, 'skills', actor.tenantId, id, { lock: true });
    if (name !== undefined && name !== current.name)
      await assertNameFree(uow.trx, 'skills', actor.tenantId, name, id);
    const row = await uow.trx
      .updateTable('skills')
      .set({
        ...(name !== undefined && { name }),
        ...(changes.description !== undefined && { description: changes.description }),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const skill = toSkill(row);
    await auditBy(uow.trx, actor, 'skill.updated', 'skill', id, { changes: Object.keys(changes) });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'skill.updated',
      aggregateType: 'skill',
      aggregateId: id,
      payload: { id, name: skill.name },
      actor: actorTag(actor),
    });
    return skill;
  });
}

/** Deleting a skill also drops it from every agent and queue (ON DELETE CASCADE). */
export async function deleteSkill(deps: StoreDeps, actor: Actor, id: string): Promise<void> {
  await deps.outbox.transact(async (uow) => {
    const gone = await uow.trx
      .deleteFrom('skills')
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .returning('name')
      .executeTakeFirst();
    if (!gone) throw new NotFound('skill', id);
    await auditBy(uow.trx, actor, 'skill.deleted', 'skill', id, { name: gone.name });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'skill.deleted',
      aggregateType: 'skill',
      aggregateId: id,
      payload: { id, name: gone.name },
      actor: actorTag(actor),
    });
  });
}

async function readAgentSkills(db: Db, tenantId: string, userId: string): Promise<AgentSkill[]> {
  const rows = await db
    .selectFrom('agent_skills')
    .innerJoin('skills', 'skills.id', 'agent_skills.skill_id')
    .select(['agent_skills.skill_id', 'skills.name', 'agent_skills.proficiency'])
    .where('agent_skills.tenant_id', '=', tenantId)
    .where('agent_skills.user_id', '=', userId)
    .orderBy('skills.name')
    .execute();
  return rows.map((r) => ({ skillId: r.skill_id, name: r.name, proficiency: r.proficiency }));
}

export async function getAgentSkills(
  deps: Pick<StoreDeps, 'db'>,
  actor: Actor,
  userId: string,
): Promise<AgentSkills> {
  await getUser(deps, actor, userId);
  return { userId, skills: await readAgentSkills(deps.db, actor.tenantId, userId) };
}

/** Replaces the agent's whole skill set; unknown users or skills change nothing. */
export async function setAgentSkills(
  deps: StoreDeps,
  actor: Actor,
  userId: string,
  skills: { skillId: string; proficiency: number }[],
): Promise<AgentSkills> {
  const skillIds = skills.map((s) => s.skillId);
  assertDistinctSkills(skillIds, 'skills');
  await getUser(deps, actor, userId);
  return deps.outbox.transact(async (uow) => {
    await assertSkillsExist(uow.trx, actor.tenantId, skillIds);
    await uow.trx
      .deleteFrom('agent_skills')
      .where('tenant_id', '=', actor.tenantId)
      .where('user_id', '=', userId)
      .execute();
    if (skills.length > 0) {
      await uow.trx
        .insertInto('agent_skills')
        .values(
          skills.map((s) => ({
            tenant_id: actor.tenantId,
            user_id: userId,
            skill_id: s.skillId,
            proficiency: s.proficiency,
          })),
        )
        .execute();
    }
    const result = await readAgentSkills(uow.trx, actor.tenantId, userId);
    const summary = result.map(({ skillId, proficiency }) => ({ skillId, proficiency }));
    await auditBy(uow.trx, actor, 'agent.skills_replaced', 'user', userId, { skills: summary });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'agent.skills_replaced',
      aggregateType: 'agent',
      aggregateId: userId,
      payload: { userId, skills: summary },
      actor: actorTag(actor),
    });
    return { userId, skills: result };
  });
}
