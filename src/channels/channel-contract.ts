import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../core/index.js';
import type {
  ChannelAdapter,
  HttpClient,
  InboundMessage,
  OutboundMessage,
  ParseResult,
  RawRequest,
  SendContext,
} from './contract.js';
import { createHttpClient, memoryCache } from './http.js';

/**
 * The cases every adapter must pass, run by each provider's test with its own fixtures. The fake
 * provider speaks the provider's documented wire format on 127.0.0.1; no test reaches the internet.
 */
export interface FakeProvider {
  /** Base URL (HTTP providers) or `smtp://127.0.0.1:port` (e-mail) to put into the config. */
  baseUrl: string;
  /** Everything the adapter sent, in order. */
  received: { method: string; path: string; headers: Record<string, string>; body: string }[];
  /** The next N sends get this answer (status + body exactly as the provider documents its errors). */
  failNext(status: number, body: string, times?: number): void;
  close(): Promise<void>;
}

export interface ChannelFixtures<Config> {
  startFake(): Promise<FakeProvider>;
  /** A valid config whose API base points at the fake. */
  config(fake: FakeProvider): Config;
  inbound: {
    text: RawRequest;
    media: RawRequest;
    /** Absent exactly when `adapter.capabilities.receipts` is false. */
    receipt?: RawRequest;
    /** The text request with its signature/token broken. */
    badSignature: RawRequest;
    /** Signed correctly, but not a body this provider sends. */
    malformed: RawRequest;
  };
  expected: {
    text: string;
    /** The sender identity the text message must carry (one of `from.identities`). */
    from: { kind: string; value: string };
    /** The provider message id our outbound had, that the receipt reports on (when there is one). */
    receiptFor?: string;
  };
  outbound: OutboundMessage;
  /** The send context to use with this fake; default: real HTTP and a fresh cache. */
  sendContext?(fake: FakeProvider): SendContext;
  /** Recorded error bodies from the provider's docs, with the status they come with. */
  errors: { rateLimited: [number, string]; serverError: [number, string]; badRequest: [number, string] };
}

export { memoryCache };

export const fetchHttp: HttpClient = createHttpClient();

export function sendContext(): SendContext {
  return { http: fetchHttp, cache: memoryCache(), now: () => Date.now() };
}

function only<K extends InboundMessage['kind']>(messages: InboundMessage[], kind: K) {
  const found = messages.filter((m) => m.kind === kind);
  expect(found, `expected one ${kind} message`).toHaveLength(1);
  return found[0] as Extract<InboundMessage, { kind: K }>;
}

export function runChannelContract<Config>(
  adapter: ChannelAdapter<Config, ParseResult | Promise<ParseResult>>,
  fx: ChannelFixtures<Config>,
): void {
  describe(`channel contract: ${adapter.type}`, () => {
    const withFake = async (fn: (config: Config, fake: FakeProvider) => Promise<void>) => {
      const fake = await fx.startFake();
      try {
        await fn(adapter.validateConfig(fx.config(fake) as Record<string, unknown>), fake);
      } finally {
        await fake.close();
      }
    };

    it('describes its credentials, and refuses a config missing a required one', async () => {
      expect(adapter.credentials.length).toBeGreaterThan(0);
      const required = adapter.credentials.find((c) => c.required);
      if (!required) return;
      await withFake(async (config) => {
        const broken = { ...(config as Record<string, unknown>) };
        delete broken[required.key];
        expect(() => adapter.validateConfig(broken)).toThrow(InvalidInput);
      });
    });

    it('accepts a correctly signed text message and parses it', async () => {
      await withFake(async (config) => {
        expect(adapter.verify(fx.inbound.text, config)).toEqual({ ok: true });
        const msg = only((await adapter.parse(fx.inbound.text, config)).messages, 'text');
        expect(msg.text).toBe(fx.expected.text);
        expect(msg.from.identities).toContainEqual(fx.expected.from);
        expect(msg.providerMessageId).toBeTruthy();
      });
    });

    it('gives a redelivered webhook the same idempotency key', async () => {
      await withFake(async (config) => {
        const a = (await adapter.parse(fx.inbound.text, config)).messages;
        const b = (
          await adapter.parse({ ...fx.inbound.text, rawBody: Buffer.from(fx.inbound.text.rawBody) }, config)
        ).messages;
        expect(a.map((m) => m.providerMessageId)).toEqual(b.map((m) => m.providerMessageId));
      });
    });

    it('parses media', async () => {
      await withFake(async (config) => {
        expect(adapter.verify(fx.inbound.media, config)).toMatchObject({ ok: true });
        const msg = only((await adapter.parse(fx.inbound.media, config)).messages, 'media');
        expect(msg.media.length).toBeGreaterThan(0);
        expect(msg.media[0]?.url ?? msg.media[0]?.providerMediaId).toBeTruthy();
      });
    });

    it('parses a delivery or read receipt for a message we sent, where the provider has them', async () => {
      expect(Boolean(fx.inbound.receipt)).toBe(adapter.capabilities.receipts);
      const receipt = fx.inbound.receipt;
      if (!receipt) return;
      await withFake(async (config) => {
        expect(adapter.verify(receipt, config)).toMatchObject({ ok: true });
        const { receipts } = await adapter.parse(receipt, config);
        expect(receipts.map((r) => r.providerMessageId)).toContain(fx.expected.receiptFor);
      });
    });

    it('refuses a bad signature', async () => {
      await withFake(async (config) => {
        const verdict = adapter.verify(fx.inbound.badSignature, config);
        expect(verdict.ok).toBe(false);
      });
    });

    it('refuses a malformed body with InvalidInput', async () => {
      await withFake(async (config) => {
        await expect(async () => adapter.parse(fx.inbound.malformed, config)).rejects.toThrow(InvalidInput);
      });
    });

    it('sends a message through the provider API and returns its id', async () => {
      await withFake(async (config, fake) => {
        const result = await adapter.send(fx.outbound, config, fx.sendContext?.(fake) ?? sendContext());
        expect(result).toMatchObject({ status: 'sent' });
        expect(result.status === 'sent' && result.providerMessageId).toBeTruthy();
        expect(fake.received.length).toBeGreaterThan(0);
      });
    });

    it.each([
      ['rate limited', 'rateLimited', 'retryable'],
      ['a server error', 'serverError', 'retryable'],
      ['a bad request', 'badRequest', 'final'],
    ] as const)('maps %s on send to %s', async (_name, which, expected) => {
      await withFake(async (config, fake) => {
        const [status, body] = fx.errors[which];
        fake.failNext(status, body, 10);
        const result = await adapter.send(fx.outbound, config, fx.sendContext?.(fake) ?? sendContext());
        expect(result.status).toBe(expected);
        expect(adapter.classifyFailure(status, body).status).toBe(expected);
      });
    });
  });
}
