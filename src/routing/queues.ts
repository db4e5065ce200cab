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
  toPage,
} from '../core/index.js';
import { auditBy } from '../security/index.js';
import {
  assertNameFree,
  cleanName,
  type Db,
  findInTenant,
  isForeignKeyViolation,
  type Row,
  type StoreDeps,
  type Trx,
} from '../storage/index.js';
import type { Strategy } from './engine/model.js';
import { assertDistinctSkills, assertSkillsExist } from './skills.js';

/** A skill an agent needs, at least at `minProficiency` (1..5), to take work from the queue. */
export interface QueueSkill {
  skillId: string;
  minProficiency: number;
}

export interface Queue {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  /** Higher is served first when an agent could take work from several queues. */
  priority: number;
  /** Service level: `serviceLevelTarget` (a fraction, 0 < x ≤ 1) answered within `serviceLevelSeconds`. */
  serviceLevelSeconds: number;
  serviceLevelTarget: number;
  skills: QueueSkill[];
  /** How the ACD picks among agents who fit (engine/model.ts `Strategy`). */
  strategy: Strategy;
  /** An offer not answered in this time goes to the next agent. */
  reservationTimeoutSeconds: number;
  /** After-contact work: the agent's slot stays taken this long after each task. */
  wrapUpSeconds: number;
  /** The queue's opening hours (business_hours), if it has any. */
  businessHoursId: string | null;
  /** Its calls are recorded (encrypted; voice/recording). */
  recordCalls: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewQueue {
  name: string;
  description?: string | undefined;
  priority?: number | undefined;
  serviceLevelSeconds?: number | undefined;
  serviceLevelTarget?: number | undefined;
  skills?: { skillId: string; minProficiency?: number | undefined }[] | undefined;
  strategy?: Strategy | undefined;
  reservationTimeoutSeconds?: number | undefined;
  wrapUpSeconds?: number | undefined;
  /** null: no business hours. */
  businessHoursId?: string | null | undefined;
  recordCalls?: boolean | undefined;
}

export type QueueChanges = Partial<NewQueue>;

/** The classic "80/20" service level, as the migration's column defaults also say. */
export const QUEUE_DEFAULTS = { priority: 0, serviceLevelSeconds: 20, serviceLevelTarget: 0.8 } as const;

export function toQueue(row: Row<'queues'>, skills: QueueSkill[]): Queue {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    description: row.description,
    priority: row.priority,
    serviceLevelSeconds: row.service_level_seconds,
    serviceLevelTarget: row.service_level_target,
    skills,
    strategy: row.strategy as Strategy,
    reservationTimeoutSeconds: row.reservation_timeout_seconds,
    wrapUpSeconds: row.wrap_up_seconds,
    businessHoursId: row.business_hours_id ?? null,
    recordCalls: row.record_calls,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The foreign key would refuse another tenant's hours too, but as an opaque error after other writes. */
async function assertBusinessHours(trx: Trx, tenantId: string, id: string | null | undefined): Promise<void> {
  if (!id) return;
  const found = await trx
    .selectFrom('business_hours')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!found) throw new NotFound('business hours', id);
}

function assertTarget(target: number | undefined): void {
  if (target !== undefined && !(target > 0 && target <= 1)) {
    throw new InvalidInput(
      'serviceLevelTarget must be a fraction above 0 and at most 1',
      'serviceLevelTarget',
    );
  }
}

async function skillsByQueue(
  db: Db,
  tenantId: string,
  queueIds: string[],
): Promise<Map<string, QueueSkill[]>> {
  const byQueue = new Map<string, QueueSkill[]>(queueIds.map((id) => [id, []]));
  if (queueIds.length === 0) return byQueue;
  const rows = await db
    .selectFrom('queue_skills')
    .select(['queue_id', 'skill_id', 'min_proficiency'])
    .where('tenant_id', '=', tenantId)
    .where('queue_id', 'in', queueIds)
    .orderBy('skill_id')
    .execute();
  for (const r of rows)
    byQueue.get(r.queue_id)?.push({ skillId: r.skill_id, minProficiency: r.min_proficiency });
  return byQueue;
}

/** Validates and replaces the queue's required skills in the caller's transaction. */
async function replaceQueueSkills(trx: Trx, tenantId: string, queueId: string, skills: NewQueue['skills']) {
  const wanted = (skills ?? []).map((s) => ({ skillId: s.skillId, minProficiency: s.minProficiency ?? 1 }));
  const ids = wanted.map((s) => s.skillId);
  assertDistinctSkills(ids, 'skills');
  await assertSkillsExist(trx, tenantId, ids);
  await trx
    .deleteFrom('queue_skills')
    .where('tenant_id', '=', tenantId)
    .where('queue_id', '=', queueId)
    .execute();
  if (wanted.length === 0) return;
  await trx
    .insertInto('queue_skills')
    .values(
      wanted.map((s) => ({
        tenant_id: tenantId,
        queue_id: queueId,
        skill_id: s.skillId,
        min_proficiency: s.minProficiency,
      })),
    )
    .execute();
}

function eventPayload(q: Queue) {
  const { tenantId: _tenant, createdAt: _created, updatedAt: _updated, ...rest } = q;
  return rest;
}

export async function createQueue(deps: StoreDeps, actor: Actor, input: NewQueue): Promise<Queue> {
  const name = cleanName(input.name);
  assertTarget(input.serviceLevelTarget);
  return deps.outbox.transact(async (uow) => {
    await assertNameFree(uow.trx, 'queues', actor.tenantId, name);
    await assertBusinessHours(uow.trx, actor.tenantId, input.businessHoursId);
    const row = await uow.trx
      .insertInto('queues')
      .values({
        id: newId(),
        tenant_id: actor.tenantId,
        name,
        description: input.description ?? '',
        priority: input.priority ?? QUEUE_DEFAULTS.priority,
        service_level_seconds: input.serviceLevelSeconds ?? QUEUE_DEFAULTS.serviceLevelSeconds,
        service_level_target: input.serviceLevelTarget ?? QUEUE_DEFAULTS.serviceLevelTarget,
        ...(input.strategy !== undefined && { strategy: input.strategy }),
        ...(input.reservationTimeoutSeconds !== undefined && {
          reservation_timeout_seconds: input.reservationTimeoutSeconds,
        }),
        ...(input.wrapUpSeconds !== undefined && { wrap_up_seconds: input.wrapUpSeconds }),
        ...(input.businessHoursId !== undefined && { business_hours_id: input.businessHoursId }),
        ...(input.recordCalls !== undefined && { record_calls: input.recordCalls }),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await replaceQueueSkills(uow.trx, actor.tenantId, row.id, input.skills);
    const skills = (await skillsByQueue(uow.trx, actor.tenantId, [row.id])).get(row.id) ?? [];
    const queue = toQueue(row, skills);
    await auditBy(uow.trx, actor, 'queue.created', 'queue', queue.id, { name, skills });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'queue.created',
      aggregateType: 'queue',
      aggregateId: queue.id,
      payload: eventPayload(queue),
      actor: actorTag(actor),
    });
    return queue;
  });
}

export async function getQueue({ db }: Pick<StoreDeps, 'db'>, actor: Actor, id: string): Promise<Queue> {
  const row = await findInTenant(db, 'queues', actor.tenantId, id);
  const skills = await skillsByQueue(db, actor.tenantId, [id]);
  return toQueue(row, skills.get(id) ?? []);
}

export async function listQueues(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  req: PageRequest,
): Promise<Page<Queue>> {
  const limit = pageLimit(req);
  let q = db.selectFrom('queues').selectAll().where('tenant_id', '=', actor.tenantId);
  if (req.cursor) q = q.where('id', '>', req.cursor);
  const rows = await q
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const skills = await skillsByQueue(
    db,
    actor.tenantId,
    rows.slice(0, limit).map((r) => r.id),
  );
  return toPage(rows, limit, (r) => toQueue(r, skills.get(r.id) ?? []));
}

export async function updateQueue(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  changes: QueueChanges,
): Promise<Queue> {
  const name = changes.name === undefined ? undefined : cleanName(changes.name);
  assertTarget(changes.serviceLevelTarget);
  return deps.outbox.transact(async (uow) => {
    const current = await findInTenant(uow.trx, 'queues', actor.tenantId, id, { lock: true });
    if (name !== undefined && name !== current.name)
      await assertNameFree(uow.trx, 'queues', actor.tenantId, name, id);
    if (changes.skills !== undefined) await replaceQueueSkills(uow.trx, actor.tenantId, id, changes.skills);
    await assertBusinessHours(uow.trx, actor.tenantId, changes.businessHoursId);
    const row = await uow.trx
      .updateTable('queues')
      .set({
        ...(name !== undefined && { name }),
        ...(changes.description !== undefined && { description: changes.description }),
        ...(changes.priority !== undefined && { priority: changes.priority }),
        ...(changes.serviceLevelSeconds !== undefined && {
          service_level_seconds: changes.serviceLevelSeconds,
        }),
        ...(changes.serviceLevelTarget !== undefined && { service_level_target: changes.serviceLevelTarget }),
        ...(changes.strategy !== undefined && { strategy: changes.strategy }),
        ...(changes.reservationTimeoutSeconds !== undefined && {
          reservation_timeout_seconds: changes.reservationTimeoutSeconds,
        }),
        ...(changes.wrapUpSeconds !== undefined && { wrap_up_seconds: changes.wrapUpSeconds }),
        ...(changes.businessHoursId !== undefined && { business_hours_id: changes.businessHoursId }),
        ...(changes.recordCalls !== undefined && { record_calls: changes.recordCalls }),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const skills = (await skillsByQueue(uow.trx, actor.tenantId, [id])).get(id) ?? [];
    const queue = toQueue(row, skills);
    await auditBy(uow.trx, actor, 'queue.updated', 'queue', id, { changes: Object.keys(changes) });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'queue.updated',
      aggregateType: 'queue',
      aggregateId: id,
      payload: eventPayload(queue),
      actor: actorTag(actor),
    });
    return queue;
  });
}

/**
 * Conversations keep a foreign key to their queue, and routing does not read the conversations
 * module's tables, so the database's own refusal is what tells us the queue is still in use.
 */
export async function deleteQueue(deps: StoreDeps, actor: Actor, id: string): Promise<void> {
  await deps.outbox.transact(async (uow) => {
    let gone: { name: string } | undefined;
    try {
      gone = await uow.trx
        .deleteFrom('queues')
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', id)
        .returning('name')
        .executeTakeFirst();
    } catch (err) {
      if (isForeignKeyViolation(err)) {
        throw new Conflict(
          `queue ${id} is referenced by conversations (closed ones included); move them to another queue first`,
        );
      }
      throw err;
    }
    if (!gone) throw new NotFound('queue', id);
    await auditBy(uow.trx, actor, 'queue.deleted', 'queue', id, { name: gone.name });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'queue.deleted',
      aggregateType: 'queue',
      aggregateId: id,
      payload: { id, name: gone.name },
      actor: actorTag(actor),
    });
  });
}
