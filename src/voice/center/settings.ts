// A tenant's outbound calling: the caller id customers see and the SIP trunk calls leave through
// (a URI template with the number in it, optional digest credentials — the password sealed with the
// master key, never returned). Kept in `tenants.settings.voice`.
import { type Actor, actorTag, InvalidInput } from '../../core/index.js';
import { normalizePhone } from '../../identity/normalize/index.js';
import { auditBy, type Cipher } from '../../security/index.js';
import type { Db, StoreDeps } from '../../storage/index.js';
import { targetFlow } from '../sip/index.js';

export interface VoiceSettings {
  /** E.164, shown to the customers agents call; null: the agent's number is not sent. */
  callerId: string | null;
  trunk: { uri: string; username: string | null; hasPassword: boolean } | null;
  /** Queued callers may press 1 to be called back, keeping their place (needs a trunk). */
  callbackOffer: boolean;
}

export interface VoiceSettingsInput {
  callerId?: string | null | undefined;
  callbackOffer?: boolean | undefined;
  trunk?: { uri: string; username?: string | null | undefined; password?: string | null | undefined } | null;
}

interface Stored {
  callerId?: string | null;
  callbackOffer?: boolean;
  trunk?: { uri: string; username?: string | null; password?: string | null } | null;
}

/** What a call through the trunk needs. */
export interface Trunk {
  target(number: string): string;
  callerId: string | null;
  auth: { username: string; password: string } | undefined;
}

async function stored(db: Db, tenantId: string): Promise<Stored> {
  const row = await db.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirst();
  const voice = row?.settings.voice;
  return voice && typeof voice === 'object' ? (voice as Stored) : {};
}

function view(s: Stored): VoiceSettings {
  return {
    callerId: s.callerId ?? null,
    trunk: s.trunk
      ? { uri: s.trunk.uri, username: s.trunk.username ?? null, hasPassword: Boolean(s.trunk.password) }
      : null,
    callbackOffer: s.callbackOffer === true,
  };
}

/** `{number}` is the E.164 number with its +, `{digits}` the same without it. */
function fill(template: string, number: string): string {
  return template.replaceAll('{number}', number).replaceAll('{digits}', number.replace(/^\+/, ''));
}

export async function getVoiceSettings(db: Db, actor: Actor): Promise<VoiceSettings> {
  return view(await stored(db, actor.tenantId));
}

export async function updateVoiceSettings(
  deps: StoreDeps & { cipher: Cipher },
  actor: Actor,
  input: VoiceSettingsInput,
): Promise<VoiceSettings> {
  const current = await stored(deps.db, actor.tenantId);
  const next: Stored = { ...current };
  if (input.callbackOffer !== undefined) next.callbackOffer = input.callbackOffer;
  if (input.callerId !== undefined) {
    if (input.callerId === null) next.callerId = null;
    else {
      const e164 = normalizePhone(input.callerId);
      if (!e164)
        throw new InvalidInput(
          'the caller id must be a phone number (E.164, e.g. +864001234567)',
          'callerId',
        );
      next.callerId = e164;
    }
  }
  if (input.trunk !== undefined) {
    if (input.trunk === null) next.trunk = null;
    else {
      const { uri } = input.trunk;
      if (!uri.includes('{number}') && !uri.includes('{digits}'))
        throw new InvalidInput(
          'the trunk URI needs {number} or {digits} where the dialled number goes',
          'trunk.uri',
        );
      if (!targetFlow(fill(uri, '+8613800138000')))
        throw new InvalidInput(
          'the trunk URI must be a SIP URI to an IP address or localhost, e.g. sip:{digits}@10.0.0.1:5060;transport=tcp',
          'trunk.uri',
        );
      const password =
        input.trunk.password === undefined
          ? (current.trunk?.password ?? null)
          : input.trunk.password === null
            ? null
            : deps.cipher.encrypt(input.trunk.password);
      next.trunk = { uri, username: input.trunk.username ?? current.trunk?.username ?? null, password };
    }
  }
  await deps.outbox.transact(async (uow) => {
    const row = await uow.trx
      .selectFrom('tenants')
      .select('settings')
      .where('id', '=', actor.tenantId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await uow.trx
      .updateTable('tenants')
      .set({ settings: JSON.stringify({ ...row.settings, voice: next }) })
      .where('id', '=', actor.tenantId)
      .execute();
    const shown = view(next);
    await auditBy(uow.trx, actor, 'voice.settings_changed', 'tenant', actor.tenantId, { ...shown });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'voice.settings_changed',
      aggregateType: 'tenant',
      aggregateId: actor.tenantId,
      payload: shown,
      actor: actorTag(actor),
    });
  });
  return view(next);
}

/** The tenant's trunk for a call, or undefined when none is set. */
export async function trunkOf(db: Db, cipher: Cipher, tenantId: string): Promise<Trunk | undefined> {
  const s = await stored(db, tenantId);
  if (!s.trunk) return undefined;
  const { uri, username, password } = s.trunk;
  return {
    target: (number) => fill(uri, number),
    callerId: s.callerId ?? null,
    auth: username && password ? { username, password: cipher.decrypt(password) } : undefined,
  };
}
