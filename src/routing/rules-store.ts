// The tenant's routing rules (the business rule library), versioned: each save is a new version,
// checked first (CEL syntax with its position, step shape, queues that exist), and the newest
// version is in force. Old versions stay readable for audit and rollback.
import { type Actor, actorTag, InvalidInput } from '../core/index.js';
import { auditBy } from '../security/index.js';
import type { Db, Row, StoreDeps, Trx } from '../storage/index.js';
import { compileRules } from './engine/index.js';
import type { RuleSet, RuleStep } from './engine/model.js';

export interface RuleVersion extends RuleSet {
  createdBy: string;
  createdAt: string;
}

export interface NewRules {
  steps: RuleStep[];
  defaultQueueId?: string | undefined;
}

export async function currentRules(db: Db | Trx, tenantId: string): Promise<RuleVersion> {
  const row = await db
    .selectFrom('routing_rules')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return { version: 0, steps: [], createdBy: 'system', createdAt: new Date(0).toISOString() };
  return toRuleVersion(row);
}

function toRuleVersion(row: Row<'routing_rules'>): RuleVersion {
  return {
    version: row.version,
    steps: row.steps as RuleStep[],
    ...(row.default_queue_id && { defaultQueueId: row.default_queue_id }),
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export async function ruleVersions(db: Db, tenantId: string): Promise<RuleVersion[]> {
  const rows = await db
    .selectFrom('routing_rules')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('version', 'desc')
    .limit(100)
    .execute();
  return rows.map(toRuleVersion);
}

/** Checks and stores a new version; the caller then hands it to the live engine. */
export async function saveRules(deps: StoreDeps, actor: Actor, input: NewRules): Promise<RuleVersion> {
  return deps.outbox.transact(async (uow) => {
    const current = await currentRules(uow.trx, actor.tenantId);
    const rules: RuleSet = {
      version: current.version + 1,
      steps: input.steps,
      ...(input.defaultQueueId && { defaultQueueId: input.defaultQueueId }),
    };
    compileRules(rules);
    const queueIds = [
      ...new Set([
        ...input.steps.map((s) => s.queueId),
        ...(input.defaultQueueId ? [input.defaultQueueId] : []),
      ]),
    ];
    if (queueIds.length) {
      const found = await uow.trx
        .selectFrom('queues')
        .select('id')
        .where('tenant_id', '=', actor.tenantId)
        .where('id', 'in', queueIds)
        .execute();
      const missing = queueIds.filter((id) => !found.some((f) => f.id === id));
      if (missing.length) throw new InvalidInput(`no such queue: ${missing.join(', ')}`, 'queueId');
    }
    const row = await uow.trx
      .insertInto('routing_rules')
      .values({
        tenant_id: actor.tenantId,
        version: rules.version,
        steps: JSON.stringify(rules.steps),
        default_queue_id: rules.defaultQueueId ?? null,
        created_by: actorTag(actor),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await auditBy(uow.trx, actor, 'routing.rules_changed', 'routing_rules', String(rules.version), {
      version: rules.version,
      steps: rules.steps.length,
    });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'routing.rules_changed',
      aggregateType: 'tenant',
      aggregateId: actor.tenantId,
      payload: { version: rules.version, steps: rules.steps.length },
      actor: actorTag(actor),
    });
    return { ...rules, createdBy: row.created_by, createdAt: new Date(row.created_at).toISOString() };
  });
}
