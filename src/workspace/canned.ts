import { type Actor, actorTag, Conflict, NotFound, newId } from '../core/index.js';
import { auditBy } from '../security/index.js';
import { findInTenant, type Row, type StoreDeps, type Trx, type UnitOfWork } from '../storage/index.js';
import { firstNameOf, type Rendered, renderTemplate } from './template.js';

/**
 * Canned responses: a tenant's ready answers, picked by shortcut ("/refund") in the composer and
 * filled with the conversation's variables (template.ts) before the agent sends them.
 */
export type CannedLanguage = 'zh-CN' | 'en';

export interface CannedResponse {
  id: string;
  title: string;
  shortcut: string;
  body: string;
  /** null: for any language. */
  language: CannedLanguage | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewCannedResponse {
  title: string;
  shortcut: string;
  body: string;
  language?: CannedLanguage | null | undefined;
}

export type CannedChanges = Partial<NewCannedResponse>;

export interface CannedFilter {
  /** Words in the title, shortcut or body (case-insensitive). */
  q?: string | undefined;
  /** Responses in this language and those for any language. */
  language?: CannedLanguage | undefined;
  limit?: number | undefined;
}

function toCanned(r: Row<'canned_responses'>): CannedResponse {
  return {
    id: r.id,
    title: r.title,
    shortcut: r.shortcut,
    body: r.body,
    language: r.language,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** Shortcuts are matched as typed after "/", so they are kept lower-case. */
function cleanShortcut(s: string): string {
  return s.trim().replace(/^\//, '').toLowerCase();
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listCanned(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  filter: CannedFilter,
): Promise<{ items: CannedResponse[] }> {
  let q = db.selectFrom('canned_responses').selectAll().where('tenant_id', '=', actor.tenantId);
  const words = filter.q?.trim();
  if (words) {
    const pattern = likePattern(words);
    q = q.where((eb) =>
      eb.or([eb('title', 'ilike', pattern), eb('shortcut', 'ilike', pattern), eb('body', 'ilike', pattern)]),
    );
  }
  if (filter.language)
    q = q.where((eb) =>
      eb.or([eb('language', '=', filter.language as CannedLanguage), eb('language', 'is', null)]),
    );
  const rows = await q
    .orderBy('shortcut')
    .limit(filter.limit ?? 100)
    .execute();
  return { items: rows.map(toCanned) };
}

async function assertShortcutFree(trx: Trx, tenantId: string, shortcut: string, exceptId?: string) {
  let q = trx
    .selectFrom('canned_responses')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('shortcut', '=', shortcut);
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw new Conflict(`the shortcut "${shortcut}" is already taken`);
}

async function record(uow: UnitOfWork, actor: Actor, what: string, c: CannedResponse | { id: string }) {
  await auditBy(
    uow.trx,
    actor,
    `canned_response.${what}`,
    'canned_response',
    c.id,
    'shortcut' in c ? { shortcut: c.shortcut } : {},
  );
  await uow.emit({
    tenantId: actor.tenantId,
    type: `canned_response.${what}`,
    aggregateType: 'canned_response',
    aggregateId: c.id,
    payload: c,
    actor: actorTag(actor),
  });
}

export async function createCanned(
  deps: StoreDeps,
  actor: Actor,
  input: NewCannedResponse,
): Promise<CannedResponse> {
  const shortcut = cleanShortcut(input.shortcut);
  return deps.outbox.transact(async (uow) => {
    await assertShortcutFree(uow.trx, actor.tenantId, shortcut);
    const row = await uow.trx
      .insertInto('canned_responses')
      .values({
        id: newId(),
        tenant_id: actor.tenantId,
        title: input.title.trim(),
        shortcut,
        body: input.body,
        language: input.language ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const canned = toCanned(row);
    await record(uow, actor, 'created', canned);
    return canned;
  });
}

async function findCanned(db: StoreDeps['db'] | Trx, tenantId: string, id: string) {
  const row = await db
    .selectFrom('canned_responses')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFound('canned response', id);
  return row;
}

export async function updateCanned(
  deps: StoreDeps,
  actor: Actor,
  id: string,
  changes: CannedChanges,
): Promise<CannedResponse> {
  const shortcut = changes.shortcut === undefined ? undefined : cleanShortcut(changes.shortcut);
  return deps.outbox.transact(async (uow) => {
    await findCanned(uow.trx, actor.tenantId, id);
    if (shortcut !== undefined) await assertShortcutFree(uow.trx, actor.tenantId, shortcut, id);
    const row = await uow.trx
      .updateTable('canned_responses')
      .set({
        ...(changes.title !== undefined && { title: changes.title.trim() }),
        ...(shortcut !== undefined && { shortcut }),
        ...(changes.body !== undefined && { body: changes.body }),
        ...(changes.language !== undefined && { language: changes.language }),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const canned = toCanned(row);
    await record(uow, actor, 'updated', canned);
    return canned;
  });
}

export async function deleteCanned(deps: StoreDeps, actor: Actor, id: string): Promise<void> {
  await deps.outbox.transact(async (uow) => {
    const gone = await uow.trx
      .deleteFrom('canned_responses')
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .returning(['id', 'shortcut'])
      .executeTakeFirst();
    if (!gone) throw new NotFound('canned response', id);
    await record(uow, actor, 'deleted', gone);
  });
}

/** The response's body with the conversation's customer, the calling agent and the tenant filled in. */
export async function renderCanned(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  id: string,
  conversationId: string,
): Promise<Rendered> {
  const canned = await findCanned(db, actor.tenantId, id);
  const conversation = await findInTenant(db, 'conversations', actor.tenantId, conversationId, {
    entity: 'conversation',
  });
  const [customer, tenant, agent] = await Promise.all([
    db
      .selectFrom('customers')
      .select('display_name')
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', conversation.customer_id)
      .executeTakeFirst(),
    db.selectFrom('tenants').select('name').where('id', '=', actor.tenantId).executeTakeFirst(),
    actor.userId
      ? db
          .selectFrom('users')
          .select('display_name')
          .where('tenant_id', '=', actor.tenantId)
          .where('id', '=', actor.userId)
          .executeTakeFirst()
      : undefined,
  ]);
  const name = customer?.display_name.trim() ?? '';
  return renderTemplate(canned.body, {
    'customer.name': name,
    'customer.firstName': firstNameOf(name),
    'agent.name': agent?.display_name ?? '',
    'conversation.id': conversation.id,
    'tenant.name': tenant?.name ?? '',
  });
}
