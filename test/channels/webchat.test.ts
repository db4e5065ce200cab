import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  type ChannelFixtures,
  type FakeProvider,
  fetchHttp,
  memoryCache,
  runChannelContract,
} from '../../src/channels/channel-contract.js';
import type { RealtimePush, SendContext } from '../../src/channels/contract.js';
import { signBody } from '../../src/channels/webchat/deliver.js';
import {
  createWebchatAdapter,
  openSession,
  type WebchatConfig,
  webchatAdapter,
} from '../../src/channels/webchat/index.js';
import { deriveKey } from '../../src/channels/webchat/token.js';
import { InvalidInput, ManualClock } from '../../src/core/index.js';
import { rawRequest, startHttpFake } from '../fakes/http-provider.js';

const CH = '01934b6e-1c2d-7a00-8000-00000000c0de';
const SECRET = 'wc-token-secret-0123456789-abcdefghij';
const VISITOR = 'v_3q2-7wEAAAAAAAAAAAAAAA';
const OUT_ID = '01934b6f-0000-7000-8000-0000000000aa';
const PUSH_SECRET = 'push-signing-secret-0123456789-abcdefgh';
const base = { tokenSecret: SECRET };
const cfg = webchatAdapter.validateConfig(base) as WebchatConfig & { tokenSecret: string };
const session = openSession(cfg, CH, {}, Date.now(), () => VISITOR);

function frame(body: unknown, token = session.token, channelId = CH) {
  return rawRequest({
    url: `/webchat/${channelId}/ws`,
    publicUrl: `https://chat.example.com/webchat/${channelId}/ws`,
    headers: { 'content-type': 'application/json', 'x-webchat-token': token },
    body: JSON.stringify(body),
  });
}

const textFrame = { type: 'message', clientId: 'c-1717236000-1', text: '你好，我想查询订单' };
const fileFrame = {
  type: 'file',
  clientId: 'c-1717236000-2',
  file: { name: `${'ab12'.repeat(8)}.png`, mimeType: 'image/png', filename: '截图.png', size: 48213 },
  text: '包裹破损了',
};
const foreign = openSession(
  { tokenSecret: 'another-channel-secret-0123456789xyz', tokenTtlSeconds: 3600 },
  CH,
  {},
  Date.now(),
);

/** The realtime hub as the dispatcher gives it; `answer` decides what every push reports. */
function fakeRealtime(answer: 'delivered' | 'offline' | 'busy') {
  const pushed: { channelId: string; recipient: string; frame: Record<string, unknown> }[] = [];
  const realtime: RealtimePush = {
    push: async (channelId, recipient, f) => {
      pushed.push({ channelId, recipient, frame: f });
      return answer;
    },
  };
  return { realtime, pushed };
}

function context(realtime?: RealtimePush): SendContext {
  return {
    http: fetchHttp,
    cache: memoryCache(),
    now: () => Date.parse('2025-06-01T08:00:00Z'),
    channelId: CH,
    ...(realtime && { realtime }),
  };
}

/** The site's offline-reply receiver; its answers are those docs/webchat.md asks receivers to give. */
const startReceiver = () => startHttpFake(() => ({ status: 204, body: '' }));

const fixtures: ChannelFixtures<WebchatConfig> = {
  startFake: startReceiver,
  config: (fake: FakeProvider) => ({
    ...cfg,
    pushUrl: `${fake.baseUrl}/switchboard/offline`,
    pushSecret: PUSH_SECRET,
  }),
  inbound: {
    text: frame(textFrame),
    media: frame(fileFrame),
    receipt: frame({ type: 'read', ids: [OUT_ID] }),
    badSignature: frame(textFrame, foreign.token),
    // The live-events socket's auth frame sent here: JSON, signed, but no web chat frame.
    malformed: frame({ type: 'auth', token: session.token }),
  },
  expected: {
    text: '你好，我想查询订单',
    from: { kind: 'device', value: VISITOR },
    receiptFor: `wc:${OUT_ID}`,
  },
  outbound: { id: OUT_ID, to: { kind: 'device', value: VISITOR }, text: '您好，请提供订单号。' },
  // The visitor is not connected, so the reply goes to the push webhook.
  sendContext: () => context(fakeRealtime('offline').realtime),
  errors: {
    rateLimited: [429, '{"error":"rate_limited","message":"slow down","retryAfter":30}'],
    serverError: [503, '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>'],
    badRequest: [400, '{"error":"unknown_visitor","message":"no such visitor"}'],
  },
};

runChannelContract(webchatAdapter, fixtures);

describe('web chat adapter', () => {
  it('parses a file frame into media served from our own upload URL', () => {
    const { messages } = webchatAdapter.parse(frame(fileFrame), cfg);
    expect(messages[0]).toMatchObject({
      kind: 'media',
      providerMessageId: `wc:${VISITOR}:c-1717236000-2`,
      text: '包裹破损了',
      media: [
        {
          kind: 'image',
          url: `https://chat.example.com/webchat/${CH}/files/${fileFrame.file.name}`,
          mimeType: 'image/png',
          filename: '截图.png',
          sizeBytes: 48213,
        },
      ],
    });
  });

  it.each([
    [
      'a file name the upload did not make',
      { ...fileFrame, file: { ...fileFrame.file, name: '../../etc/passwd' } },
    ],
    ['a blank message', { type: 'message', clientId: 'c1', text: '   ' }],
    ['a message without a client id', { type: 'message', text: 'hi' }],
    ['a read frame naming no message ids', { type: 'read', ids: ['x'] }],
  ])('refuses %s', (_name, body) => {
    expect(() => webchatAdapter.parse(frame(body), cfg)).toThrow(InvalidInput);
  });

  it('takes the visitor from the token, never from the frame', () => {
    const { messages } = webchatAdapter.parse(frame({ ...textFrame, visitorId: 'v_someone_else' }), cfg);
    expect(messages[0]?.from.identities).toEqual([{ kind: 'device', value: VISITOR }]);
  });

  it('refuses a token for another channel, an expired token, and a request with no token', () => {
    const other = '01934b6e-1c2d-7a00-8000-00000000beef';
    expect(webchatAdapter.verify(frame(textFrame, session.token, other), cfg)).toMatchObject({ ok: false });
    const clock = new ManualClock(Date.now());
    const later = createWebchatAdapter(clock);
    expect(later.verify(frame(textFrame), cfg)).toEqual({ ok: true });
    clock.advance(cfg.tokenTtlSeconds * 1000 + 1000);
    expect(later.verify(frame(textFrame), cfg)).toEqual({ ok: false, reason: 'token has expired' });
    const bare = { ...frame(textFrame), headers: { 'content-type': 'application/json' } };
    expect(webchatAdapter.verify(bare, cfg).ok).toBe(false);
  });

  it('issues standard HS256 JWTs that any JWT library verifies', async () => {
    const key = deriveKey(SECRET, 'switchboard webchat visitor token v1');
    const { payload } = await jwtVerify(session.token, key, {
      audience: `webchat:${CH}`,
      algorithms: ['HS256'],
    });
    expect(payload.sub).toBe(VISITOR);
  });

  it('renews a visitor only for a token that proves it, even an expired one', () => {
    const now = Date.now();
    const old = openSession(cfg, CH, {}, now - 30 * 24 * 3600 * 1000, () => VISITOR);
    expect(openSession(cfg, CH, { visitorId: VISITOR, token: old.token }, now).visitorId).toBe(VISITOR);
    expect(openSession(cfg, CH, { visitorId: VISITOR }, now).visitorId).not.toBe(VISITOR);
    expect(openSession(cfg, CH, { visitorId: VISITOR, token: foreign.token }, now).visitorId).not.toBe(
      VISITOR,
    );
    const ancient = openSession(cfg, CH, {}, now - 200 * 24 * 3600 * 1000, () => VISITOR);
    expect(openSession(cfg, CH, { token: ancient.token }, now).visitorId).not.toBe(VISITOR);
  });

  it('works with no configuration, but refuses every token until a secret exists', () => {
    const empty = webchatAdapter.validateConfig({});
    expect(empty).toMatchObject({ tokenSecret: undefined, allowedOrigins: [], pushUrl: undefined });
    expect(webchatAdapter.verify(frame(textFrame), empty)).toEqual({
      ok: false,
      reason: 'the channel has issued no sessions yet',
    });
  });

  it('refuses a push URL without a secret to sign its bodies', () => {
    expect(() => webchatAdapter.validateConfig({ pushUrl: 'https://shop.example.com/hook' })).toThrow(
      /pushSecret/,
    );
  });

  it('validates origins and refuses a short secret', () => {
    expect(
      webchatAdapter.validateConfig({
        ...base,
        allowedOrigins: 'https://shop.example.com/, http://127.0.0.1:5173',
      }).allowedOrigins,
    ).toEqual(['https://shop.example.com', 'http://127.0.0.1:5173']);
    expect(() => webchatAdapter.validateConfig({ ...base, allowedOrigins: ['https://x.com/path'] })).toThrow(
      InvalidInput,
    );
    expect(() => webchatAdapter.validateConfig({ tokenSecret: 'short' })).toThrow(/at least 32/);
  });
});

describe('web chat delivery', () => {
  const reply = fixtures.outbound;

  it('pushes the reply to the visitor socket and calls no webhook', async () => {
    const fake = await startReceiver();
    const { realtime, pushed } = fakeRealtime('delivered');
    const config = { ...cfg, pushUrl: fake.baseUrl, pushSecret: PUSH_SECRET };
    expect(await webchatAdapter.send(reply, config, context(realtime))).toEqual({
      status: 'sent',
      providerMessageId: `wc:${OUT_ID}`,
    });
    expect(pushed).toEqual([
      {
        channelId: CH,
        recipient: VISITOR,
        frame: {
          type: 'message',
          message: {
            id: OUT_ID,
            direction: 'out',
            text: '您好，请提供订单号。',
            createdAt: '2025-06-01T08:00:00.000Z',
          },
        },
      },
    ]);
    expect(fake.received).toHaveLength(0);
    await fake.close();
  });

  it('retries when the socket is busy, and leaves an offline reply to history when there is no webhook', async () => {
    expect(await webchatAdapter.send(reply, cfg, context(fakeRealtime('busy').realtime))).toMatchObject({
      status: 'retryable',
    });
    expect(await webchatAdapter.send(reply, cfg, context(fakeRealtime('offline').realtime))).toMatchObject({
      status: 'sent',
    });
  });

  it('signs the offline push with the push secret', async () => {
    const fake = await startReceiver();
    const config = { ...cfg, pushUrl: fake.baseUrl, pushSecret: PUSH_SECRET };
    await webchatAdapter.send(reply, config, context(fakeRealtime('offline').realtime));
    const got = fake.received[0];
    expect(got?.headers['x-switchboard-signature']).toBe(signBody(PUSH_SECRET, got?.body ?? ''));
    expect(JSON.parse(got?.body ?? '{}')).toMatchObject({
      type: 'message',
      channelId: CH,
      recipient: { kind: 'device', value: VISITOR },
      message: { id: OUT_ID, text: '您好，请提供订单号。' },
    });
    await fake.close();
  });

  it.each([
    [429, '{"error":"rate_limited","retryAfter":30}', 'retryable', 30_000],
    [500, '{"error":"internal"}', 'retryable', undefined],
    [502, 'Bad Gateway', 'retryable', undefined],
    [408, '', 'retryable', undefined],
    [400, '{"message":"bad payload"}', 'final', undefined],
    [404, '{"detail":"no such visitor"}', 'final', undefined],
    [410, '{"error":"visitor gone"}', 'final', undefined],
  ] as const)('classifies a push answer %i as %s', (status, body, expected, retryAfterMs) => {
    const result = webchatAdapter.classifyFailure(status, body);
    expect(result.status).toBe(expected);
    if (retryAfterMs) expect(result).toMatchObject({ retryAfterMs });
  });
});
