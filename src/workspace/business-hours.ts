import { type Actor, actorTag, Conflict, NotFound, newId } from '../core/index.js';
import { auditBy } from '../security/index.js';
import {
  cleanName,
  type Db,
  isForeignKeyViolation,
  type Row,
  type StoreDeps,
  type Trx,
  type UnitOfWork,
} from '../storage/index.js';
import {
  assertSchedule,
  type Holiday,
  type ScheduleStatus,
  scheduleStatus,
  type WeeklyRange,
} from './schedule.js';

/** Named weekly schedules with holidays, in one time zone each; queues may name one (queues.business_hours_id). */
export interface BusinessHours {
  id: string;
  name: string;
  timezone: string;
  weekly: WeeklyRange[];
  holidays: Holiday[];
  createdAt: string;
  updatedAt: string;
}

export interface NewBusinessHours {
  name: string;
  timezone: string;
  weekly?: WeeklyRange[] | undefined;
  holidays?: Holiday[] | undefined;
}

export type BusinessHoursChanges = Partial<NewBusinessHours>;

function toHours(r: Row<'business_hours'>): BusinessHours {
  return {
    id: r.id,
    name: r.name,
    timezone: r.timezone,
    weekly: r.weekly,
    holidays: r.holidays,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** Stored in a stable order: by day and opening time, holidays by date. */
function ordered(weekly: WeeklyRange[], holidays: Holiday[]) {
  return {
    weekly: [...weekly]
      .map((r) => ({ day: r.day, open: r.open, close: r.close }))
      .sort((a, b) => a.day - b.day || a.open.localeCompare(b.open)),
    holidays: [...holidays]
      .map((h) => ({ date: h.date, name: h.name.trim() }))
      .sort((a, b) => a.date.localeCompare(b.date)),
  };
}

async function findHours(db: Db | Trx, tenantId: string, id: string, lock = false) {
  let q = db.selectFrom('business_hours').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new NotFound('business hours', id);
  return row;
}

async function assertNameFree(trx: Trx, tenantId: string, name: string, exceptId?: string) {
  let q = trx
    .selectFrom('business_hours')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name);
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw new Conflict(`business hours named "${name}" already exist`);
}

async function record(
  uow: UnitOfWork,
  actor: Actor,
  what: string,
  h: BusinessHours | { id: string; name: string },
) {
  await auditBy(uow.trx, actor, `business_hours.${what}`, 'business_hours', h.id, { name: h.name });
  await uow.emit({
    tenantId: actor.tenantId,
    type: `business_hours.${what}`,
    aggregateType: 'business_hours',
    aggregateId: h.id,
    payload: h,
    actor: actorTag(actor),
  });
}

export async function listBusinessHours(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
): Promise<{ items: BusinessHours[] }> {
  const rows = await db
    .selectFrom('business_hours')
    .selectAll()
    .where('tenant_id', '=', actor.tenantId)
    .orderBy('name')
    .execute();
  return { items: rows.map(toHours) };
}

export async function getBusinessHours({ db }: Pick<StoreDeps, 'db'>, actor: Actor, id: string) {
  return toHours(await findHours(db, actor.tenantId, id));
}

export async function createBusinessHours(
  deps: StoreDeps,
  actor: Actor,
  input: NewBusinessHours,
): Promise<BusinessHours> {
  const name = cleanName(input.name);
  const schedule = { timezone: input.timezone, ...ordered(input.weekly ?? [], input.holidays ?? []) };
  assertSchedule(schedule);
  return deps.outbox.transact(async (uow) => {
    await assertNameFree(uow.trx, actor.tenantId, name);
    const row = await uow.trx
      .insertInto('business_hours')
      .values({
        id: newId(),
        tenant_id: actor.tenantId,
        name,
        timezone: schedule.timezone,
        weekly: JSON.stringify(schedule.weekly),
        holidays: JSON.stringify(schedule.holidays),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const hours = toHours(row);
    await record(uow, actor, 'created', hours);
    return hours;
  });
}

/** `weekly` and `holidays` replace the whole list they give. */
export async function updateBusinessHours(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  changes: BusinessHoursChanges,
): Promise<BusinessHours> {
  const name = changes.name === undefined ? undefined : cleanName(changes.name);
  return deps.outbox.transact(async (uow) => {
    const current = toHours(await findHours(uow.trx, actor.tenantId, id, true));
    if (name !== undefined && name !== current.name) await assertNameFree(uow.trx, actor.tenantId, name, id);
    const schedule = {
      timezone: changes.timezone ?? current.timezone,
      ...ordered(changes.weekly ?? current.weekly, changes.holidays ?? current.holidays),
    };
    assertSchedule(schedule);
    const row = await uow.trx
      .updateTable('business_hours')
      .set({
        ...(name !== undefined && { name }),
        timezone: schedule.timezone,
        weekly: JSON.stringify(schedule.weekly),
        holidays: JSON.stringify(schedule.holidays),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const hours = toHours(row);
    await record(uow, actor, 'updated', hours);
    return hours;
  });
}

/** Queues refer to their hours by foreign key: a schedule in use cannot go (409). */
export async function deleteBusinessHours(deps: StoreDeps, actor: Actor, id: string): Promise<void> {
  await deps.outbox.transact(async (uow) => {
    let gone: { id: string; name: string } | undefined;
    try {
      gone = await uow.trx
        .deleteFrom('business_hours')
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', id)
        .returning(['id', 'name'])
        .executeTakeFirst();
    } catch (err) {
      if (isForeignKeyViolation(err))
        throw new Conflict(`business hours ${id} are used by a queue; give the queue other hours first`);
      throw err;
    }
    if (!gone) throw new NotFound('business hours', id);
    await record(uow, actor, 'deleted', gone);
  });
}

export async function businessHoursStatus(
  deps: Pick<StoreDeps, 'db'>,
  actor: Actor,
  id: string,
  at: Date,
): Promise<ScheduleStatus> {
  return scheduleStatus(await getBusinessHours(deps, actor, id), at);
}

/** For queues: the hours must be the tenant's own (the foreign key would say so less clearly). */
export async function assertBusinessHours(trx: Db | Trx, tenantId: string, id: string): Promise<void> {
  await findHours(trx, tenantId, id);
}
