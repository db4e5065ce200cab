// Customer identities in responses, masked where the caller's role requires it (security/mask.ts):
// agents see +86 138****8000, supervisors and above the values, unless the tenant turned masking
// off (`settings.maskPiiForAgents: false`). Applied by the routes that return customers, their
// identities, or merge evidence naming identifiers; the stored values are never changed.
import type { Actor } from '../core/index.js';
import { maskIdentityValue, masksPiiFor } from '../security/index.js';
import type { Db } from '../storage/index.js';

interface IdentityLike {
  kind: string;
  value: string;
}

export interface PiiView {
  /** False when the caller sees values as stored. */
  readonly masking: boolean;
  identity<I extends IdentityLike>(identity: I): I;
  customer<C extends { identities: IdentityLike[] }>(customer: C): C;
  /** A merge or a merge suggestion: the identifiers its evidence names. */
  evidence<M extends { evidence: object }>(merge: M): M;
  /** A call in progress: the customer's number (the caller's, or the one an agent called). */
  call<C extends CallLike>(call: C): C;
}

interface CallLike {
  direction: 'in' | 'out';
  from: string;
  to: string;
}

const AS_STORED: PiiView = {
  masking: false,
  identity: (i) => i,
  customer: (c) => c,
  evidence: (m) => m,
  call: (c) => c,
};

const MASKED: PiiView = {
  masking: true,
  identity: (i) => ({ ...i, value: maskIdentityValue(i.kind, i.value) }),
  customer: (c) => ({ ...c, identities: c.identities.map((i) => MASKED.identity(i)) }),
  evidence: (m) => {
    const evidence = m.evidence as { identifiers?: unknown; note?: unknown };
    if (!Array.isArray(evidence.identifiers)) return m;
    const identifiers = (evidence.identifiers as IdentityLike[]).filter(
      (i) => typeof i?.value === 'string' && i.value !== '',
    );
    // The matcher's notes quote what the customer wrote ("wrote the phone +86… in a message").
    let note = evidence.note;
    if (typeof note === 'string')
      for (const i of identifiers)
        note = (note as string).split(i.value).join(maskIdentityValue(i.kind, i.value));
    return {
      ...m,
      evidence: {
        ...m.evidence,
        identifiers: evidence.identifiers.map((i: IdentityLike) =>
          typeof i?.value === 'string' ? MASKED.identity(i) : i,
        ),
        ...(note !== undefined && { note }),
      },
    };
  },
  call: (c) =>
    c.direction === 'in'
      ? { ...c, from: maskIdentityValue('phone', c.from) }
      : { ...c, to: maskIdentityValue('phone', c.to) },
};

/** How this caller sees identities: one read of the tenant's settings, and only for agents. */
export async function piiViewFor(db: Db, actor: Actor): Promise<PiiView> {
  if (!masksPiiFor(actor.role, {})) return AS_STORED;
  const row = await db
    .selectFrom('tenants')
    .select('settings')
    .where('id', '=', actor.tenantId)
    .executeTakeFirst();
  return masksPiiFor(actor.role, row?.settings ?? {}) ? MASKED : AS_STORED;
}
