// The tenant's IVR flows, versioned like routing rules: each save is checked (shape, meaning, and
// that the queues, business hours and recordings it names are the tenant's) and stored as a new
// version; the newest version is the flow. Old versions stay readable for audit and rollback.
import { type Actor, actorTag, Conflict, NotFound, newId, systemActor } from '../../core/index.js';
import { getQueue } from '../../routing/index.js';
import { auditBy } from '../../security/index.js';
import type { Db, Row, StoreDeps, Trx, UnitOfWork } from '../../storage/index.js';
import { assertBusinessHours } from '../../workspace/index.js';
import { type FlowProblem, IvrFlowInvalid } from './errors.js';
import type { FlowDefinition } from './flow.js';
import { type CompiledFlow, compileFlow } from './validate.js';

export interface IvrFlow {
  id: string;
  name: string;
  version: number;
  active: boolean;
  definition: FlowDefinition;
  /** Doubts that do not stop the flow: unreachable nodes, loops a silent caller goes round, queues routing ignores. */
  warnings: FlowProblem[];
  /** Dialled numbers that reach this flow. */
  numbers: string[];
  updatedAt: string;
  updatedBy: string;
}

export type IvrFlowSummary = Omit<IvrFlow, 'definition' | 'warnings'> & { nodes: number };

export interface FlowInput {
  name: string;
  definition: unknown;
  active?: boolean | undefined;
}

export interface FlowUpdate extends FlowInput {
  /** The version the editor started from: saving on top of a newer one is a conflict. */
  baseVersion?: number | undefined;
}

/**
 * The task attribute an enqueue node's queue travels in: the routing engine places the task in that
 * queue (a rule step for the same queue adds its agent filter and overflow).
 */
export { TARGET_QUEUE_ATTRIBUTE } from '../../routing/engine/placement.js';

async function numbersOf(db: Db | Trx, tenantId: string, flowIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!flowIds.length) return out;
  const rows = await db
    .selectFrom('voice_numbers')
    .select(['flow_id', 'number'])
    .where('tenant_id', '=', tenantId)
    .where('flow_id', 'in', flowIds)
    .orderBy('number')
    .execute();
  for (const r of rows) out.set(r.flow_id, [...(out.get(r.flow_id) ?? []), r.number]);
  return out;
}

function toFlow(row: Row<'ivr_flows'>, numbers: string[], warnings: FlowProblem[]): IvrFlow {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    active: row.active,
    definition: row.definition as unknown as FlowDefinition,
    warnings,
    numbers,
    updatedAt: new Date(row.created_at).toISOString(),
    updatedBy: row.updated_by,
  };
}

async function latestRow(db: Db | Trx, tenantId: string, id: string, version?: number) {
  let q = db.selectFrom('ivr_flows').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
  const row = await q.executeTakeFirst();
  if (!row) throw new NotFound(version === undefined ? 'IVR flow' : `IVR flow version ${version} of`, id);
  return row;
}

/** The newest version of a flow (or the one asked for), compiled: what a call runs. */
export async function loadFlow(
  db: Db,
  tenantId: string,
  id: string,
  version?: number,
): Promise<{ row: Row<'ivr_flows'>; flow: CompiledFlow }> {
  const row = await latestRow(db, tenantId, id, version);
  return { row, flow: compileFlow(row.definition) };
}

export async function getFlow(db: Db, actor: Actor, id: string, version?: number): Promise<IvrFlow> {
  const row = await latestRow(db, actor.tenantId, id, version);
  const numbers = (await numbersOf(db, actor.tenantId, [id])).get(id) ?? [];
  const warnings = compileFlow(row.definition).warnings;
  return toFlow(row, numbers, warnings);
}

export async function listFlows(db: Db, actor: Actor): Promise<{ items: IvrFlowSummary[] }> {
  const rows = await db
    .selectFrom('ivr_flows as f')
    .selectAll()
    .where('f.tenant_id', '=', actor.tenantId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('ivr_flows as n')
            .select('n.version')
            .whereRef('n.tenant_id', '=', 'f.tenant_id')
            .whereRef('n.id', '=', 'f.id')
            .whereRef('n.version', '>', 'f.version'),
        ),
      ),
    )
    .orderBy('f.name')
    .orderBy('f.id')
    .limit(500)
    .execute();
  const numbers = await numbersOf(
    db,
    actor.tenantId,
    rows.map((r) => r.id),
  );
  return {
    items: rows.map((r) => {
      const { definition, warnings: _w, ...rest } = toFlow(r, numbers.get(r.id) ?? [], []);
      return { ...rest, nodes: definition.nodes?.length ?? 0 };
    }),
  };
}

/** Which nodes name an id outside the flow, for a problem that points at them. */
function nodesNaming(flow: CompiledFlow, id: string): string[] {
  return [...flow.nodes.values()].filter((n) => JSON.stringify(n).includes(`"${id}"`)).map((n) => n.id);
}

/** The queues, hours and recordings the flow names must be the tenant's. */
async function referenceProblems(trx: Trx, tenantId: string, flow: CompiledFlow): Promise<FlowProblem[]> {
  const problems: FlowProblem[] = [];
  const missing = (kind: string, id: string) => {
    for (const nodeId of nodesNaming(flow, id))
      problems.push({
        path: `nodes.${nodeId}`,
        nodeId,
        message: `node "${nodeId}": there is no ${kind} ${id}`,
      });
  };
  const actor = systemActor(tenantId);
  for (const id of flow.references.queueIds)
    await getQueue({ db: trx }, actor, id).catch((err: unknown) => {
      if (!(err instanceof NotFound)) throw err;
      missing('queue', id);
    });
  for (const id of flow.references.businessHoursIds)
    await assertBusinessHours(trx, tenantId, id).catch((err: unknown) => {
      if (!(err instanceof NotFound)) throw err;
      missing('business hours', id);
    });
  if (flow.references.audioIds.length) {
    const found = await trx
      .selectFrom('ivr_audio')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', flow.references.audioIds)
      .execute();
    for (const id of flow.references.audioIds) if (!found.some((f) => f.id === id)) missing('recording', id);
  }
  return problems;
}

async function save(
  actor: Actor,
  id: string,
  version: number,
  input: FlowInput,
  compiled: CompiledFlow,
  trx: Trx,
): Promise<IvrFlow> {
  const problems = await referenceProblems(trx, actor.tenantId, compiled);
  if (problems.length) throw new IvrFlowInvalid(problems);
  const row = await trx
    .insertInto('ivr_flows')
    .values({
      tenant_id: actor.tenantId,
      id,
      version,
      name: input.name.trim(),
      definition: JSON.stringify(input.definition),
      active: input.active ?? true,
      updated_by: actorTag(actor),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const numbers = (await numbersOf(trx, actor.tenantId, [id])).get(id) ?? [];
  return toFlow(row, numbers, compiled.warnings);
}

export async function createFlow(deps: StoreDeps, actor: Actor, input: FlowInput): Promise<IvrFlow> {
  const compiled = compileFlow(input.definition);
  return deps.outbox.transact(async (uow) => {
    const flow = await save(actor, newId(), 1, input, compiled, uow.trx);
    await record(uow, actor, 'created', flow);
    return flow;
  });
}

export async function updateFlow(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  input: FlowUpdate,
): Promise<IvrFlow> {
  const compiled = compileFlow(input.definition);
  return deps.outbox.transact(async (uow) => {
    // The newest version, locked: two saves in a race make two versions in order, never one lost.
    const current = await uow.trx
      .selectFrom('ivr_flows')
      .select('version')
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .orderBy('version', 'desc')
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new NotFound('IVR flow', id);
    if (input.baseVersion !== undefined && input.baseVersion !== current.version)
      throw new Conflict(
        `the flow was saved as version ${current.version} after version ${input.baseVersion} was opened; reload it`,
      );
    const flow = await save(actor, id, current.version + 1, input, compiled, uow.trx);
    await record(uow, actor, 'updated', flow);
    return flow;
  });
}

async function record(uow: UnitOfWork, actor: Actor, what: 'created' | 'updated', flow: IvrFlow) {
  const detail = {
    name: flow.name,
    version: flow.version,
    active: flow.active,
    nodes: flow.definition.nodes.length,
  };
  await auditBy(uow.trx, actor, `ivr_flow.${what}`, 'ivr_flow', flow.id, detail);
  await uow.emit({
    tenantId: actor.tenantId,
    type: `ivr_flow.${what}`,
    aggregateType: 'ivr_flow',
    aggregateId: flow.id,
    payload: { id: flow.id, ...detail },
    actor: actorTag(actor),
  });
}
