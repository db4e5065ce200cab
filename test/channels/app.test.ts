import { describe, expect, it } from 'vitest';
import { type AppConfig, appAdapter, checkUserToken, issueUserToken } from '../../src/channels/app/index.js';
import {
  type ChannelFixtures,
  type FakeProvider,
  fetchHttp,
  memoryCache,
  runChannelContract,
} from '../../src/channels/channel-contract.js';
import type { RealtimePush, SendContext } from '../../src/channels/contract.js';
import { signBody } from '../../src/channels/webchat/deliver.js';
import { InvalidInput } from '../../src/core/index.js';
import { rawRequest, startHttpFake } from '../fakes/http-provider.js';

const CH = '01934b6e-1c2d-7a00-8000-0000000000a9';
const APP_SECRET = 'app-secret-for-tests-0123456789abcdef';
const OUT_ID = '01934b6f-0000-7000-8000-0000000000bb';
const cfg = appAdapter.validateConfig({ appSecret: APP_SECRET });

/** What the app's backend posts, as docs/app-channel.md shows it, signed with the app secret. */
function event(body: unknown, secret = APP_SECRET) {
  const json = JSON.stringify(body);
  return rawRequest({
    url: `/webhooks/app/${CH}`,
    headers: { 'content-type': 'application/json', 'x-switchboard-signature': signBody(secret, json) },
    body: json,
  });
}

const textEvent = {
  type: 'message',
  messageId: 'msg-8f14e45f',
  userId: 'u-10086',
  deviceId: 'ios-7F3A9C',
  userName: '王芳',
  text: '我的退款什么时候到账？',
  sentAt: '2025-06-01T08:00:00Z',
};
const photoEvent = {
  type: 'message',
  messageId: 'msg-c9f0f895',
  userId: 'u-10086',
  text: '这是发票',
  attachments: [
    {
      url: 'https://cdn.example.com/u-10086/invoice.jpg',
      mimeType: 'image/jpeg',
      filename: 'invoice.jpg',
      size: 20480,
    },
  ],
};

function realtimeAnswering(answer: 'delivered' | 'offline' | 'busy') {
  const pushed: string[] = [];
  const realtime: RealtimePush = {
    push: async (_channelId, recipient) => {
      pushed.push(recipient);
      return answer;
    },
  };
  return { realtime, pushed };
}

function context(realtime: RealtimePush): SendContext {
  return {
    http: fetchHttp,
    cache: memoryCache(),
    now: () => Date.parse('2025-06-01T08:00:05Z'),
    channelId: CH,
    realtime,
  };
}

const startPushReceiver = () => startHttpFake(() => ({ status: 202, body: '{"queued":true}' }));

const fixtures: ChannelFixtures<AppConfig> = {
  startFake: startPushReceiver,
  config: (fake: FakeProvider) =>
    ({ appSecret: APP_SECRET, pushUrl: `${fake.baseUrl}/push` }) as unknown as AppConfig,
  inbound: {
    text: event(textEvent),
    media: event(photoEvent),
    receipt: event({ type: 'read', messageId: 'rd-1', userId: 'u-10086', readMessageIds: [OUT_ID] }),
    badSignature: event(textEvent, 'not-the-app-secret-000000000000000'),
    malformed: event({ type: 'message', userId: 'u-10086', text: 'no message id' }),
  },
  expected: {
    text: '我的退款什么时候到账？',
    from: { kind: 'app_user', value: 'u-10086' },
    receiptFor: `app:${OUT_ID}`,
  },
  outbound: {
    id: OUT_ID,
    to: { kind: 'app_user', value: 'u-10086' },
    text: '退款已处理，预计 1-3 个工作日到账。',
  },
  // The user has the app closed: the reply goes to the push webhook.
  sendContext: () => context(realtimeAnswering('offline').realtime),
  errors: {
    rateLimited: [429, '{"error":"too_many_requests","message":"push quota exceeded","retryAfter":60}'],
    serverError: [500, '{"error":"internal_error","message":"APNs unavailable"}'],
    badRequest: [400, '{"error":"invalid_request","message":"unknown userId"}'],
  },
};

runChannelContract(appAdapter, fixtures);

describe('app adapter', () => {
  it('carries the user id, the device id as a second identity, and the user name', () => {
    const [msg] = appAdapter.parse(event(textEvent), cfg).messages;
    expect(msg).toMatchObject({
      kind: 'text',
      providerMessageId: 'app:u-10086:msg-8f14e45f',
      occurredAt: '2025-06-01T08:00:00.000Z',
      from: {
        identities: [
          { kind: 'app_user', value: 'u-10086' },
          { kind: 'device', value: 'ios-7F3A9C' },
        ],
        displayName: '王芳',
      },
    });
  });

  it('parses typing as an ephemeral typing message', () => {
    const { messages } = appAdapter.parse(
      event({ type: 'typing', messageId: 't-1', userId: 'u-10086' }),
      cfg,
    );
    expect(messages).toMatchObject([{ kind: 'typing' }]);
  });

  it.each([
    ['an unknown type', { ...textEvent, type: 'delete' }],
    [
      'an attachment that is not an http(s) URL',
      { ...photoEvent, attachments: [{ url: 'file:///etc/passwd' }] },
    ],
    ['a message with neither text nor attachments', { ...textEvent, text: '' }],
    ['a user id with spaces', { ...textEvent, userId: 'u 1' }],
  ])('refuses %s', (_name, body) => {
    expect(() => appAdapter.parse(event(body), cfg)).toThrow(InvalidInput);
  });

  it('refuses an unsigned request and a GET', () => {
    const unsigned = { ...event(textEvent), headers: { 'content-type': 'application/json' } };
    expect(appAdapter.verify(unsigned, cfg)).toMatchObject({ ok: false });
    expect(appAdapter.verify({ ...event(textEvent), method: 'GET' }, cfg)).toMatchObject({ ok: false });
  });

  it('issues user tokens bound to the channel, carrying the device', () => {
    const now = Date.now();
    const { token } = issueUserToken(cfg, CH, { userId: 'u-10086', deviceId: 'ios-7F3A9C' }, now);
    const check = checkUserToken(cfg, CH, token, now);
    expect(check).toMatchObject({ ok: true, claims: { sub: 'u-10086', did: 'ios-7F3A9C' } });
    expect(checkUserToken(cfg, '01934b6e-1c2d-7a00-8000-0000000000aa', token, now).ok).toBe(false);
    expect(checkUserToken(cfg, CH, token, now + cfg.tokenTtlSeconds * 1000 + 1).ok).toBe(false);
  });
});

describe('app delivery', () => {
  const reply = fixtures.outbound;

  it('pushes to an open socket without calling the push webhook', async () => {
    const fake = await startPushReceiver();
    const { realtime, pushed } = realtimeAnswering('delivered');
    const result = await appAdapter.send(reply, { ...cfg, pushUrl: fake.baseUrl }, context(realtime));
    expect(result).toEqual({ status: 'sent', providerMessageId: `app:${OUT_ID}` });
    expect(pushed).toEqual(['u-10086']);
    expect(fake.received).toHaveLength(0);
    await fake.close();
  });

  it('posts a signed push webhook for an offline user, honouring Retry-After on 429', async () => {
    const fake = await startPushReceiver();
    const config = { ...cfg, pushUrl: `${fake.baseUrl}/push` };
    const offline = context(realtimeAnswering('offline').realtime);
    expect(await appAdapter.send(reply, config, offline)).toMatchObject({ status: 'sent' });
    const got = fake.received[0];
    expect(got?.path).toBe('/push');
    expect(got?.headers['x-switchboard-signature']).toBe(signBody(APP_SECRET, got?.body ?? ''));
    expect(JSON.parse(got?.body ?? '{}')).toMatchObject({
      type: 'message',
      recipient: { kind: 'app_user', value: 'u-10086' },
      message: { id: OUT_ID, direction: 'out', text: reply.text },
    });
    fake.failNext(429, '{"error":"too_many_requests","retryAfter":60}');
    expect(await appAdapter.send(reply, config, offline)).toMatchObject({
      status: 'retryable',
      retryAfterMs: 60_000,
    });
    await fake.close();
  });

  it('is retryable when the push webhook cannot be reached', async () => {
    const config = { ...cfg, pushUrl: 'http://127.0.0.1:9/push' };
    const result = await appAdapter.send(reply, config, context(realtimeAnswering('offline').realtime));
    expect(result.status).toBe('retryable');
  });

  it.each([
    [429, '{"error":"too_many_requests"}', 'retryable'],
    [503, '{"error":"unavailable"}', 'retryable'],
    [400, '{"error":"invalid_request","message":"unknown userId"}', 'final'],
    [401, '{"error":"bad_signature"}', 'final'],
    [410, '{"error":"user_deleted"}', 'final'],
  ] as const)('classifies a push answer %i as %s', (status, body, expected) => {
    expect(appAdapter.classifyFailure(status, body).status).toBe(expected);
  });
});
