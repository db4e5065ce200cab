import {
  type Actor,
  actorTag,
  Conflict,
  NotFound,
  newId,
  type Page,
  type PageRequest,
  pageLimit,
  toPage,
} from '../core/index.js';
import type { Cipher } from '../security/crypto.js';
import { auditBy } from '../security/index.js';
import {
  assertNameFree,
  cleanName,
  findInTenant,
  isForeignKeyViolation,
  type Row,
  type StoreDeps,
} from '../storage/index.js';
import { adapterFor } from './registry.js';
import { keepMaskedSecrets, openConfig, sealConfig } from './secrets.js';

/** The channel store seals secrets, so it needs the installation's cipher besides the database. */
export type ChannelDeps = StoreDeps & { cipher: Cipher };

/** Checked when a channel is created or changed, not on its first message. */
function validated(type: string, config: Record<string, unknown>): void {
  adapterFor(type)?.validateConfig(config);
}

/**
 * A tenant's configured channels. `config` is free-form until each provider's adapter describes
 * its credentials. Secrets are stored as given for now (envelope encryption is a later issue),
 * but never leave through the API: any key named like a secret, token, password or key is
 * returned as MASK, and a MASK sent back on update keeps the stored value, so a client can
 * round-trip what it read without erasing credentials. Events and audit entries carry no config.
 */
export const CHANNEL_TYPES = [
  'webchat',
  'app',
  'email',
  'sms',
  'wechat',
  'whatsapp',
  'telegram',
  'messenger',
  'voice',
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export type ChannelConfig = Record<string, unknown>;

export interface Channel {
  id: string;
  tenantId: string;
  type: ChannelType;
  name: string;
  /** Secret-looking values are MASK. */
  config: ChannelConfig;
  enabled: boolean;
  /** Where the provider delivers inbound traffic, relative to the installation's public URL. */
  webhookUrl: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewChannel {
  type: ChannelType;
  name: string;
  config: ChannelConfig;
  enabled?: boolean | undefined;
}

export interface ChannelChanges {
  name?: string | undefined;
  config?: ChannelConfig | undefined;
  enabled?: boolean | undefined;
}

export function toChannel(row: Row<'channels'>): Channel {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    type: row.type as ChannelType,
    name: row.name,
    config: row.config,
    enabled: row.enabled,
    webhookUrl: `/webhooks/${row.type}/${row.id}`,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function eventPayload(c: Channel) {
  return { id: c.id, type: c.type, name: c.name, enabled: c.enabled };
}

export async function createChannel(deps: ChannelDeps, actor: Actor, input: NewChannel): Promise<Channel> {
  const name = cleanName(input.name);
  validated(input.type, input.config);
  const { shown, sealed } = sealConfig(deps.cipher, input.type, input.config);
  return deps.outbox.transact(async (uow) => {
    await assertNameFree(uow.trx, 'channels', actor.tenantId, name);
    const row = await uow.trx
      .insertInto('channels')
      .values({
        id: newId(),
        tenant_id: actor.tenantId,
        type: input.type,
        name,
        config: JSON.stringify(shown),
        secrets: sealed,
        enabled: input.enabled ?? true,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const channel = toChannel(row);
    const detail = {
      type: channel.type,
      name,
      enabled: channel.enabled,
      configKeys: Object.keys(input.config),
    };
    await auditBy(uow.trx, actor, 'channel.created', 'channel', channel.id, detail);
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'channel.created',
      aggregateType: 'channel',
      aggregateId: channel.id,
      payload: eventPayload(channel),
      actor: actorTag(actor),
    });
    return channel;
  });
}

export async function getChannel({ db }: Pick<StoreDeps, 'db'>, actor: Actor, id: string): Promise<Channel> {
  const row = await findInTenant(db, 'channels', actor.tenantId, id);
  return toChannel(row);
}

export async function listChannels(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  req: PageRequest & { type?: ChannelType | undefined },
): Promise<Page<Channel>> {
  const limit = pageLimit(req);
  let q = db.selectFrom('channels').selectAll().where('tenant_id', '=', actor.tenantId);
  if (req.type) q = q.where('type', '=', req.type);
  if (req.cursor) q = q.where('id', '>', req.cursor);
  const rows = await q
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, toChannel);
}

/** A new `config` replaces the old one whole, except for secrets echoed back as MASK. */
export async function updateChannel(
  deps: ChannelDeps,
  actor: Actor,
  id: string,
  changes: ChannelChanges,
): Promise<Channel> {
  const name = changes.name === undefined ? undefined : cleanName(changes.name);
  return deps.outbox.transact(async (uow) => {
    const current = await findInTenant(uow.trx, 'channels', actor.tenantId, id, { lock: true });
    if (name !== undefined && name !== current.name)
      await assertNameFree(uow.trx, 'channels', actor.tenantId, name, id);
    let stored: { shown: Record<string, unknown>; sealed: string | null } | undefined;
    if (changes.config) {
      const config = keepMaskedSecrets(changes.config, openConfig(deps.cipher, current));
      validated(current.type, config);
      stored = sealConfig(deps.cipher, current.type, config);
    }
    const row = await uow.trx
      .updateTable('channels')
      .set({
        ...(name !== undefined && { name }),
        ...(stored && { config: JSON.stringify(stored.shown), secrets: stored.sealed }),
        ...(changes.enabled !== undefined && { enabled: changes.enabled }),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const channel = toChannel(row);
    await auditBy(uow.trx, actor, 'channel.updated', 'channel', id, { changes: Object.keys(changes) });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'channel.updated',
      aggregateType: 'channel',
      aggregateId: id,
      payload: eventPayload(channel),
      actor: actorTag(actor),
    });
    return channel;
  });
}

/** Conversations keep a foreign key to their channel; the database's refusal means "still in use". */
export async function deleteChannel(deps: StoreDeps, actor: Actor, id: string): Promise<void> {
  await deps.outbox.transact(async (uow) => {
    let gone: { type: string; name: string } | undefined;
    try {
      gone = await uow.trx
        .deleteFrom('channels')
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', id)
        .returning(['type', 'name'])
        .executeTakeFirst();
    } catch (err) {
      if (isForeignKeyViolation(err)) {
        throw new Conflict(`channel ${id} is referenced by conversations; disable it instead of deleting it`);
      }
      throw err;
    }
    if (!gone) throw new NotFound('channel', id);
    await auditBy(uow.trx, actor, 'channel.deleted', 'channel', id, { type: gone.type, name: gone.name });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'channel.deleted',
      aggregateType: 'channel',
      aggregateId: id,
      payload: { id, type: gone.type, name: gone.name },
      actor: actorTag(actor),
    });
  });
}
