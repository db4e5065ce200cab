// CRM imports: contact records resolved with the same engine and tenant settings as the live path.
// Records are first resolved among themselves (the batch engine), then each resulting person joins
// the customer that already owns one of its identifiers or becomes a new customer, and finally every
// touched customer goes through the live probabilistic matcher against everyone already stored.
import { type Actor, actorTag, newId } from '../core/index.js';
import { auditBy } from '../security/index.js';
import type { StoreDeps } from '../storage/index.js';
import { IDENTITY_KINDS, type IdentityKind, type IdentityRef, normalizeIdentity } from './identities.js';
import { type ContactRecord, parseContactRecord, resolveRecords } from './match/index.js';
import { matchCustomer } from './matching.js';
import type { IdentifierOptions } from './normalize/index.js';
import { suggestMerge } from './suggestions.js';
import { identifierOptionsOf, tenantMatching } from './tenant-model.js';

export interface ImportResult {
  id: string;
  customerId: string;
  confidence: number;
}

export interface ImportReport {
  received: number;
  created: number;
  updated: number;
  /** Customers merged into an existing one by the probabilistic matcher afterwards. */
  merged: number;
  /** Review suggestions made (ambiguous owners, the probabilistic band). */
  suggested: number;
  skipped: { index: number; id?: string | undefined; message: string }[];
  results: ImportResult[];
}

/** Contact-record field → identity kind. `identifiers` entries of a known kind count too. */
const FIELD_KINDS: [keyof ContactRecord, IdentityKind][] = [
  ['phone', 'phone'],
  ['whatsapp', 'whatsapp'],
  ['email', 'email'],
  ['deviceId', 'device'],
  ['wechatOpenId', 'wechat_openid'],
  ['wechatUnionId', 'wechat_unionid'],
  ['telegramId', 'telegram'],
];

function identitiesOf(r: ContactRecord, options: IdentifierOptions): IdentityRef[] {
  const refs: IdentityRef[] = [];
  const add = (kind: IdentityKind, value: unknown) => {
    if (typeof value !== 'string' || !value.trim()) return;
    const ref = normalizeIdentity({ kind, value }, options);
    if (!refs.some((x) => x.kind === ref.kind && x.value === ref.value)) refs.push(ref);
  };
  for (const [field, kind] of FIELD_KINDS) add(kind, r[field]);
  for (const [kind, value] of Object.entries(r.identifiers ?? {}))
    if ((IDENTITY_KINDS as readonly string[]).includes(kind)) add(kind as IdentityKind, value);
  return refs;
}

interface Person {
  records: ContactRecord[];
  identities: IdentityRef[];
  name: string;
  attributes: Record<string, string>;
}

function personOf(records: ContactRecord[], options: IdentifierOptions): Person {
  const identities: IdentityRef[] = [];
  for (const r of records)
    for (const ref of identitiesOf(r, options))
      if (!identities.some((x) => x.kind === ref.kind && x.value === ref.value)) identities.push(ref);
  const first = (f: 'name' | 'birthDate' | 'city') => records.find((r) => r[f]?.trim())?.[f]?.trim();
  const attributes: Record<string, string> = {};
  const birth = first('birthDate');
  const city = first('city');
  if (birth) attributes.birthDate = birth;
  if (city) attributes.city = city;
  return { records, identities, name: first('name') ?? '', attributes };
}

/** Writes one person: joins the oldest customer owning one of its identifiers, or creates one. */
async function writePerson(
  deps: StoreDeps,
  actor: Actor,
  p: Person,
): Promise<{ customerId: string; created: boolean; others: string[] }> {
  const tenantId = actor.tenantId;
  return deps.outbox.transact(async (uow) => {
    const { trx } = uow;
    const owned = p.identities.length
      ? await trx
          .selectFrom('identities')
          .innerJoin('customers', (j) =>
            j
              .onRef('customers.tenant_id', '=', 'identities.tenant_id')
              .onRef('customers.id', '=', 'identities.customer_id'),
          )
          .select(['identities.kind', 'identities.value', 'customers.id', 'customers.created_at'])
          .where('identities.tenant_id', '=', tenantId)
          .where(
            'identities.value',
            'in',
            p.identities.map((i) => i.value),
          )
          .execute()
      : [];
    const owners = owned
      .filter((o) => p.identities.some((i) => i.kind === o.kind && i.value === o.value))
      .sort((a, b) => +new Date(a.created_at) - +new Date(b.created_at) || (a.id < b.id ? -1 : 1));
    const ownerIds = [...new Set(owners.map((o) => o.id))];
    let customerId = ownerIds[0];
    const created = customerId === undefined;
    if (customerId === undefined) {
      customerId = newId();
      await trx
        .insertInto('customers')
        .values({
          id: customerId,
          tenant_id: tenantId,
          display_name: p.name,
          tier: 0,
          attributes: JSON.stringify(p.attributes),
        })
        .execute();
      await uow.emit({
        tenantId,
        type: 'customer.created',
        aggregateType: 'customer',
        aggregateId: customerId,
        payload: { id: customerId, displayName: p.name, via: 'import' },
        actor: actorTag(actor),
      });
    } else {
      // Fill what the customer lacks; never overwrite what an agent or a channel already knows.
      const row = await trx
        .selectFrom('customers')
        .select(['display_name', 'attributes'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', customerId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const attributes = { ...p.attributes, ...row.attributes };
      await trx
        .updateTable('customers')
        .set({
          display_name: row.display_name.trim() ? row.display_name : p.name,
          attributes: JSON.stringify(attributes),
          updated_at: new Date(),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', customerId)
        .execute();
      // Other processes' matchers re-read it (this one matches it below).
      await uow.emit({
        tenantId,
        type: 'customer.updated',
        aggregateType: 'customer',
        aggregateId: customerId,
        payload: { id: customerId, changed: ['identities', 'attributes'], via: 'import' },
        actor: actorTag(actor),
      });
    }
    for (const ref of p.identities) {
      if (owners.some((o) => o.kind === ref.kind && o.value === ref.value)) continue;
      await trx
        .insertInto('identities')
        .values({ id: newId(), tenant_id: tenantId, customer_id: customerId, ...ref, verified: false })
        .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'value']).doNothing())
        .execute();
    }
    return { customerId, created, others: ownerIds.slice(1) };
  });
}

export async function importCustomers(
  deps: StoreDeps,
  actor: Actor,
  raw: readonly unknown[],
  onProgress?: (done: number, total: number) => void,
): Promise<ImportReport> {
  const report: ImportReport = {
    received: raw.length,
    created: 0,
    updated: 0,
    merged: 0,
    suggested: 0,
    skipped: [],
    results: [],
  };
  const options = await identifierOptionsOf(deps.db, actor.tenantId);
  const records: ContactRecord[] = [];
  const seen = new Set<string>();
  raw.forEach((value, index) => {
    try {
      const r = parseContactRecord(value);
      if (seen.has(r.id)) throw new Error(`duplicate record id ${r.id}`);
      identitiesOf(r, options);
      seen.add(r.id);
      records.push(r);
    } catch (err) {
      const id = (value as { id?: unknown } | null)?.id;
      report.skipped.push({ index, ...(typeof id === 'string' && { id }), message: (err as Error).message });
    }
  });
  const { settings } = await tenantMatching(deps.db, actor.tenantId);
  const resolution = resolveRecords(records, settings);
  const byId = new Map(records.map((r) => [r.id, r]));
  const groups = new Map<string, ContactRecord[]>();
  for (const a of resolution.assignments) {
    const list = groups.get(a.customerId) ?? [];
    list.push(byId.get(a.id)!);
    groups.set(a.customerId, list);
  }
  const customerOf = new Map<string, string>();
  const touched = new Set<string>();
  let done = 0;
  const total = groups.size * 2;
  for (const [groupId, members] of groups) {
    const written = await writePerson(deps, actor, personOf(members, options));
    customerOf.set(groupId, written.customerId);
    touched.add(written.customerId);
    if (written.created) report.created++;
    else report.updated++;
    for (const other of written.others) {
      await suggestMerge(deps, actor, {
        customerIds: [written.customerId, other],
        confidence: 0.5,
        evidence: {
          source: 'deterministic',
          note: `import records ${members.map((m) => m.id).join(', ')} name both`,
        },
      });
      report.suggested++;
    }
    onProgress?.(++done, total);
  }
  // Now that every record is stored and indexed, compare each touched customer with everyone.
  const survivorOf = new Map<string, string>();
  for (const customerId of touched) {
    // Awaited to the end (the merge written): the report and the next record's match build on it.
    const outcome = await matchCustomer(deps, actor, survivorOf.get(customerId) ?? customerId, undefined, {
      wait: true,
    });
    if (outcome.merged) {
      report.merged++;
      survivorOf.set(outcome.merged.mergedId, outcome.merged.survivorId);
    }
    report.suggested += outcome.suggested.length;
    onProgress?.(++done, total);
  }
  const finalId = (id: string) => {
    let x = id;
    while (survivorOf.has(x)) x = survivorOf.get(x)!;
    return x;
  };
  report.results = resolution.assignments.map((a) => ({
    id: a.id,
    customerId: finalId(customerOf.get(a.customerId)!),
    confidence: Math.round(a.confidence * 1000) / 1000,
  }));
  await deps.outbox.transact(({ trx }) =>
    auditBy(trx, actor, 'customers.imported', 'tenant', actor.tenantId, {
      received: report.received,
      created: report.created,
      updated: report.updated,
      merged: report.merged,
      skipped: report.skipped.length,
    }),
  );
  onProgress?.(total, total);
  return report;
}
