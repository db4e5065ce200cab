import type { Logger } from 'pino';
import type { EventBus } from '../bus/index.js';
import { applyReceipt, currentConversationOf, receiveInbound } from '../conversations/index.js';
import { type Actor, NotFound, newId, systemActor } from '../core/index.js';
import {
  linkMentionedIdentifiers,
  type Matchable,
  matchInBackground,
  recordTypingRhythm,
} from '../identity/index.js';
import type { Cipher } from '../security/index.js';
import type { Row, StoreDeps } from '../storage/index.js';
import type { DirectReply, InboundMessage, RawRequest } from './contract.js';
import { type Extracted, type ExtractOptions, extractFields } from './extract/index.js';
import { toIngest } from './normalize.js';
import { adapterFor, type RegisteredAdapter } from './registry.js';
import { openConfig } from './secrets.js';

/**
 * What wraps every adapter the same way: find the channel, check the signature, parse, commit,
 * and only then answer the provider. A failure after the signature check answers 503 (in the
 * webhook route), so the provider retries; the idempotency key makes the retry a no-op.
 */
export interface GatewayDeps extends StoreDeps {
  cipher: Cipher;
  bus: EventBus;
  logger: Logger;
}

export class WebhookRejected extends Error {
  readonly code = 'WEBHOOK_REJECTED';
  readonly status = 403;
}

interface Loaded {
  row: Row<'channels'>;
  adapter: RegisteredAdapter;
  config: unknown;
}

export interface Gateway {
  accept(type: string, channelId: string, req: RawRequest): Promise<DirectReply>;
  /** The channel with its decrypted, validated config (the dispatcher sends with it). */
  load(channelId: string, type?: string): Promise<Loaded>;
}

const OK: DirectReply = { status: 200, contentType: 'application/json', body: '{"ok":true}' };

export function createGateway(deps: GatewayDeps): Gateway {
  // Decrypting and validating a config on every webhook is waste; a changed row has a new updated_at.
  const configs = new Map<string, { stamp: number; config: unknown }>();

  async function load(channelId: string, type?: string): Promise<Loaded> {
    let q = deps.db.selectFrom('channels').selectAll().where('id', '=', channelId);
    if (type) q = q.where('type', '=', type);
    const row = await q.executeTakeFirst();
    if (!row?.enabled) throw new NotFound('channel', channelId);
    const adapter = adapterFor(row.type);
    if (!adapter) throw new NotFound(`${row.type} adapter for channel`, channelId);
    const stamp = new Date(row.updated_at).getTime();
    let cached = configs.get(row.id);
    if (cached?.stamp !== stamp) {
      cached = { stamp, config: adapter.validateConfig(openConfig(deps.cipher, row)) };
      configs.set(row.id, cached);
    }
    return { row, adapter, config: cached.config };
  }

  // Tenant extraction settings (order-number formats, phone region) change rarely; read them at most every 30 s.
  const tenantSettings = new Map<string, { at: number; options: Omit<ExtractOptions, 'now'> }>();
  async function extractionOptions(tenantId: string): Promise<Omit<ExtractOptions, 'now'>> {
    const hit = tenantSettings.get(tenantId);
    if (hit && Date.now() - hit.at < 30_000) return hit.options;
    const row = await deps.db
      .selectFrom('tenants')
      .select('settings')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    const s = (row?.settings ?? {}) as {
      orderPatterns?: string[];
      defaultRegion?: string;
      timeZone?: string;
    };
    const options = {
      ...(Array.isArray(s.orderPatterns) && { orderPatterns: s.orderPatterns }),
      ...(typeof s.defaultRegion === 'string' && {
        defaultRegion: s.defaultRegion as ExtractOptions['defaultRegion'],
      }),
      ...(typeof s.timeZone === 'string' && { timeZone: s.timeZone }),
    };
    tenantSettings.set(tenantId, { at: Date.now(), options });
    return options;
  }

  /** Unstructured text becomes structured fields at the gateway; a failure here never loses the message. */
  async function extract(tenantId: string, text: string): Promise<Extracted | undefined> {
    if (!text.trim()) return undefined;
    try {
      return extractFields(text, { ...(await extractionOptions(tenantId)), now: Date.now() });
    } catch (err) {
      deps.logger.warn({ err, tenantId }, 'extraction failed; message kept without fields');
      return undefined;
    }
  }

  /**
   * Identifiers the customer wrote (a phone number, an e-mail address) are evidence of who they are.
   * The message is already committed: a failure here is logged, never answered with a 5xx.
   */
  async function linkMentions(
    actor: Actor,
    customerId: string,
    extracted: Extracted,
  ): Promise<{ customerId: string; attached: boolean }> {
    const mentions = [
      ...extracted.phones.map((value) => ({ kind: 'phone' as const, value })),
      ...extracted.emails.map((value) => ({ kind: 'email' as const, value })),
    ];
    if (mentions.length === 0) return { customerId, attached: false };
    try {
      const outcome = await linkMentionedIdentifiers(deps, actor, customerId, mentions);
      if (outcome.merged.length)
        deps.logger.info(
          { customerId, merged: outcome.merged },
          'customers merged on a mentioned identifier',
        );
      return {
        customerId: outcome.merged.at(-1)?.survivorId ?? customerId,
        attached: outcome.attached.length > 0,
      };
    } catch (err) {
      deps.logger.warn({ err, customerId }, 'could not link mentioned identifiers');
      return { customerId, attached: false };
    }
  }

  /**
   * Inline resolution: a customer who is new or learnt an identifier is compared with the customers
   * sharing a blocking key (merge, suggestion or nothing), in memory, in the identity worker. Like the
   * mentions, it runs after the commit, and the message does not wait for it: a failure is logged and
   * the message stays.
   */
  async function resolve(
    actor: Actor,
    customerId: string,
    rhythm: InboundMessage['rhythm'],
    changed: boolean,
    known: Matchable | undefined,
  ) {
    try {
      const profile = rhythm
        ? await recordTypingRhythm(deps.db, actor.tenantId, customerId, rhythm)
        : undefined;
      if (!changed) return;
      // Decided in the identity worker and written just after, off this path (failures are logged there).
      matchInBackground(
        deps,
        actor,
        customerId,
        known?.id === customerId ? { ...known, ...(profile && { profile }) } : undefined,
        deps.logger,
      );
    } catch (err) {
      deps.logger.warn({ err, customerId }, 'identity resolution failed; the message is kept');
    }
  }

  async function ingest(row: Row<'channels'>, msg: InboundMessage): Promise<void> {
    const actor = systemActor(row.tenant_id);
    if (msg.kind === 'typing') {
      // Ephemeral: straight to the bus, never stored. The conversation lets /ws filter on it.
      const current = await currentConversationOf(deps.db, row.tenant_id, msg.from.identities);
      await deps.bus.publish({
        id: newId(),
        tenantId: row.tenant_id,
        type: 'customer.typing',
        aggregateType: 'channel',
        aggregateId: row.id,
        payload: { channelId: row.id, identities: msg.from.identities, ...current },
        actor: `channel:${row.id}`,
        occurredAt: new Date().toISOString(),
      });
      return;
    }
    const input = toIngest(row, msg);
    if (!input) return;
    const extracted = await extract(row.tenant_id, input.text);
    if (extracted) input.payload = { ...input.payload, extracted };
    const received = await receiveInbound(deps, actor, input);
    if (received.duplicate) return;
    let customerId = received.conversation.customerId;
    let changed = received.customerChanged;
    // What this message wrote is all there is to know of the customer, unless the mentions changed it.
    let known = received.customer;
    if (extracted) {
      const linked = await linkMentions(actor, customerId, extracted);
      if (linked.attached || linked.customerId !== customerId) known = undefined;
      customerId = linked.customerId;
      changed ||= linked.attached;
    }
    await resolve(actor, customerId, msg.rhythm, changed, known);
  }

  return {
    load,
    async accept(type, channelId, req) {
      const { row, adapter, config } = await load(channelId, type);
      const verdict = adapter.verify(req, config);
      if (!verdict.ok) throw new WebhookRejected(`signature check failed: ${verdict.reason}`);
      if ('handshake' in verdict) return verdict.handshake;
      const parsed = await adapter.parse(req, config);
      for (const msg of parsed.messages) await ingest(row, msg);
      for (const r of parsed.receipts) {
        const applied = await applyReceipt(deps, row.tenant_id, row.id, r);
        if (!applied) deps.logger.debug({ channelId, receipt: r }, 'receipt for an unknown or newer message');
      }
      return parsed.reply ?? OK;
    },
  };
}
