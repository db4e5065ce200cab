import { describe, expect, it } from 'vitest';
import {
  type ChannelFixtures,
  runChannelContract,
  sendContext,
} from '../../src/channels/channel-contract.js';
import type { RawRequest } from '../../src/channels/contract.js';
import { type WhatsAppConfig, whatsappAdapter } from '../../src/channels/whatsapp/index.js';
import { rawRequest, startHttpFake } from '../fakes/http-provider.js';
import { metaSignature, metaWebhook } from '../fakes/meta-webhook.js';

const APP_SECRET = 'test-app-secret';
const VERIFY_TOKEN = 'verify-me-please';
const PHONE_NUMBER_ID = '106540352242922';
const WABA_ID = '102290129340398';
const OUR_WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA';
const URL_PATH = '/webhooks/whatsapp/ch_1';

function sign(body: string | Buffer, secret = APP_SECRET): string {
  return metaSignature(body, secret);
}

function webhook(body: unknown, signature?: string): RawRequest {
  return metaWebhook(URL_PATH, body, APP_SECRET, signature);
}

/** The envelope every Cloud API `messages` webhook comes in (webhooks/components). */
function envelope(value: Record<string, unknown>, phoneNumberId = PHONE_NUMBER_ID) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

const contacts = [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }];

const textMessage = {
  from: '16505551234',
  id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
  timestamp: '1749416383',
  type: 'text',
  text: { body: 'Does it come in another color?' },
};

const imageMessage = {
  from: '16505551234',
  id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQUJCMDNCRDEzMDY4QzFDNjk5NQA=',
  timestamp: '1749416390',
  type: 'image',
  image: {
    caption: 'This is the broken one',
    mime_type: 'image/jpeg',
    sha256: '6Kd1Ykz4Sn9/PJoyV1DjylxQhGyb/Jc8qv9mgWUP+Xg=',
    id: '1003383421387256',
  },
};

const deliveredStatus = {
  id: OUR_WAMID,
  status: 'delivered',
  timestamp: '1750263773',
  recipient_id: '16505551234',
  conversation: { id: '6ceb9d929c8fd2e8c4dbc0d2f1e4f3d2', origin: { type: 'service' } },
  pricing: { billable: true, pricing_model: 'PMP', category: 'service' },
};

function graphError(code: number, message: string, details?: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}),
      ...extra,
      fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
    },
  });
}

const RATE_LIMITED = graphError(
  130429,
  '(#130429) Rate limit hit',
  'Message failed to send because there were too many messages sent from this phone number in a short period of time',
  { error_subcode: 2494055 },
);
const SOMETHING_WENT_WRONG = graphError(131000, '(#131000) Something went wrong', 'Something went wrong');
const UNDELIVERABLE = graphError(131026, '(#131026) Message Undeliverable', 'Message Undeliverable.');

let sent = 0;
async function startFake() {
  return startHttpFake((req) => {
    if (req.method !== 'POST' || req.path !== `/v21.0/${PHONE_NUMBER_ID}/messages`) {
      return { status: 404, body: graphError(100, 'Unknown path components') };
    }
    const to = (JSON.parse(req.body) as { to: string }).to;
    sent += 1;
    return {
      status: 200,
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        contacts: [{ input: to, wa_id: to }],
        messages: [{ id: `wamid.fake${sent}`, message_status: 'accepted' }],
      }),
    };
  });
}

const configFor = (baseUrl: string): Record<string, unknown> => ({
  accessToken: 'EAAJB-test-access-token',
  appSecret: APP_SECRET,
  verifyToken: VERIFY_TOKEN,
  phoneNumberId: PHONE_NUMBER_ID,
  apiBaseUrl: baseUrl,
});

const textBody = JSON.stringify(envelope({ contacts, messages: [textMessage] }));

const fixtures: ChannelFixtures<WhatsAppConfig> = {
  startFake,
  config: (fake) => configFor(fake.baseUrl) as unknown as WhatsAppConfig,
  inbound: {
    text: webhook(envelope({ contacts, messages: [textMessage] })),
    media: webhook(envelope({ contacts, messages: [imageMessage] })),
    receipt: webhook(envelope({ statuses: [deliveredStatus] })),
    // Signed over other bytes: the same JSON re-serialized with indentation.
    badSignature: rawRequest({
      url: URL_PATH,
      headers: { 'x-hub-signature-256': sign(JSON.stringify(JSON.parse(textBody), null, 2)) },
      body: textBody,
    }),
    malformed: webhook({ object: 'whatsapp_business_account', entry: 'not a list' }),
  },
  expected: {
    text: 'Does it come in another color?',
    from: { kind: 'whatsapp', value: '+16505551234' },
    receiptFor: `wa:${OUR_WAMID}`,
  },
  outbound: { id: 'msg_01', to: { kind: 'whatsapp', value: '+16505551234' }, text: 'It also comes in blue.' },
  errors: {
    rateLimited: [400, RATE_LIMITED],
    serverError: [500, SOMETHING_WENT_WRONG],
    badRequest: [400, UNDELIVERABLE],
  },
};

runChannelContract(whatsappAdapter, fixtures);

const config = whatsappAdapter.validateConfig(configFor('http://127.0.0.1:9'));

function handshake(query: Record<string, string>): RawRequest {
  return rawRequest({ method: 'GET', url: URL_PATH, query });
}

describe('whatsapp: webhook verification', () => {
  it('echoes hub.challenge as text/plain when the verify token matches', () => {
    const verdict = whatsappAdapter.verify(
      handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' }),
      config,
    );
    expect(verdict).toEqual({
      ok: true,
      handshake: { status: 200, contentType: 'text/plain', body: '1158201444' },
    });
  });

  it('refuses a handshake with the wrong token, another mode, or no challenge', () => {
    const queries: Record<string, string>[] = [
      { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me-pleasE', 'hub.challenge': '1158201444' },
      { 'hub.mode': 'subscribe', 'hub.verify_token': 'short', 'hub.challenge': '1158201444' },
      { 'hub.mode': 'unsubscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' },
      { 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN },
    ];
    for (const query of queries) {
      expect(whatsappAdapter.verify(handshake(query), config).ok).toBe(false);
    }
  });

  it('refuses a body whose signature was computed over different bytes, or with another secret', () => {
    const other = JSON.stringify(
      envelope({ contacts, messages: [{ ...textMessage, text: { body: 'hi' } }] }),
    );
    const forged = rawRequest({
      url: URL_PATH,
      headers: { 'x-hub-signature-256': sign(other) },
      body: textBody,
    });
    expect(whatsappAdapter.verify(forged, config)).toMatchObject({ ok: false });
    const wrongSecret = webhook(JSON.parse(textBody), sign(textBody, 'another-secret'));
    expect(whatsappAdapter.verify(wrongSecret, config)).toMatchObject({ ok: false });
    const unsigned = rawRequest({ url: URL_PATH, body: textBody });
    expect(whatsappAdapter.verify(unsigned, config)).toMatchObject({ ok: false });
    const sha1 = rawRequest({
      url: URL_PATH,
      headers: { 'x-hub-signature-256': 'sha1=abc' },
      body: textBody,
    });
    expect(whatsappAdapter.verify(sha1, config)).toMatchObject({ ok: false });
  });
});

describe('whatsapp: parsing', () => {
  it('yields two messages and one receipt from one webhook carrying both', () => {
    const body = envelope({
      contacts,
      messages: [textMessage, imageMessage],
      statuses: [deliveredStatus],
    });
    const { messages, receipts } = whatsappAdapter.parse(webhook(body), config);
    expect(messages).toHaveLength(2);
    expect(messages.map((m) => m.kind)).toEqual(['text', 'media']);
    expect(messages[0]).toMatchObject({
      providerMessageId: `wa:${textMessage.id}`,
      from: {
        displayName: 'Sheena Nelson',
        identities: [
          { kind: 'whatsapp', value: '+16505551234' },
          { kind: 'phone', value: '+16505551234' },
        ],
      },
      occurredAt: '2025-06-08T20:59:43.000Z',
    });
    expect(messages[1]).toMatchObject({
      kind: 'media',
      text: 'This is the broken one',
      media: [{ kind: 'image', providerMediaId: '1003383421387256', mimeType: 'image/jpeg' }],
    });
    expect(receipts).toEqual([
      { providerMessageId: `wa:${OUR_WAMID}`, status: 'delivered', occurredAt: '2025-06-18T16:22:53.000Z' },
    ]);
  });

  it('parses documents, location, contacts, reply buttons, list rows and template buttons', () => {
    const from = '16505551234';
    const at = '1749416400';
    const body = envelope({
      contacts,
      messages: [
        {
          from,
          id: 'wamid.doc',
          timestamp: at,
          type: 'document',
          document: {
            caption: 'invoice',
            filename: 'invoice.pdf',
            mime_type: 'application/pdf',
            sha256: 'x',
            id: '555',
          },
        },
        {
          from,
          id: 'wamid.loc',
          timestamp: at,
          type: 'location',
          location: {
            address: '1 Hacker Way, Menlo Park, CA 94025',
            latitude: 37.483307,
            longitude: -122.148981,
            name: 'Main Office',
          },
        },
        {
          from,
          id: 'wamid.card',
          timestamp: at,
          type: 'contacts',
          contacts: [
            {
              name: { first_name: 'Barbara', last_name: 'Johnson', formatted_name: 'Barbara J. Johnson' },
              phones: [
                { phone: '+1 (940) 555-1234', type: 'HOME', wa_id: '19405551234' },
                { phone: '+1 940-555-0000', type: 'WORK' },
              ],
              emails: [{ email: 'bjohnson@example.com', type: 'WORK' }],
            },
          ],
        },
        {
          context: { from: '15550783881', id: OUR_WAMID },
          from,
          id: 'wamid.btn',
          timestamp: at,
          type: 'interactive',
          interactive: { type: 'button_reply', button_reply: { id: 'cancel-button', title: 'Cancel' } },
        },
        {
          context: { from: '15550783881', id: OUR_WAMID },
          from,
          id: 'wamid.row',
          timestamp: at,
          type: 'interactive',
          interactive: {
            type: 'list_reply',
            list_reply: { id: 'priority-express', title: 'Express', description: 'Next day' },
          },
        },
        {
          context: { from: '15550783881', id: OUR_WAMID },
          from,
          id: 'wamid.tpl',
          timestamp: at,
          type: 'button',
          button: { payload: 'STOP-PROMOS', text: 'Stop promotions' },
        },
        {
          from,
          id: 'wamid.react',
          timestamp: at,
          type: 'reaction',
          reaction: { message_id: OUR_WAMID, emoji: '👍' },
        },
      ],
    });
    const { messages } = whatsappAdapter.parse(webhook(body), config);
    expect(messages).toMatchObject([
      {
        kind: 'media',
        text: 'invoice',
        media: [{ kind: 'file', providerMediaId: '555', filename: 'invoice.pdf' }],
      },
      {
        kind: 'location',
        location: {
          lat: 37.483307,
          lng: -122.148981,
          name: 'Main Office',
          address: '1 Hacker Way, Menlo Park, CA 94025',
        },
      },
      {
        kind: 'contact',
        providerMessageId: 'wa:wamid.card',
        contact: {
          name: 'Barbara J. Johnson',
          phones: ['+19405551234', '+1 940-555-0000'],
          emails: ['bjohnson@example.com'],
        },
      },
      { kind: 'postback', postback: { payload: 'cancel-button', title: 'Cancel' } },
      { kind: 'postback', postback: { payload: 'priority-express', title: 'Express' } },
      { kind: 'postback', postback: { payload: 'STOP-PROMOS', title: 'Stop promotions' } },
      { kind: 'event', event: 'reaction', detail: { emoji: '👍' } },
    ]);
  });

  it('reports a failed status with its error, and skips statuses it has no meaning for', () => {
    const body = envelope({
      statuses: [
        {
          id: OUR_WAMID,
          status: 'failed',
          timestamp: '1750263773',
          recipient_id: '16505551234',
          errors: [
            {
              code: 131047,
              title: 'Re-engagement message',
              message: 'Re-engagement message',
              error_data: {
                details:
                  'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
              },
            },
          ],
        },
        { id: 'wamid.other', status: 'deleted', timestamp: '1750263773', recipient_id: '16505551234' },
      ],
    });
    const { receipts } = whatsappAdapter.parse(webhook(body), config);
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ providerMessageId: `wa:${OUR_WAMID}`, status: 'failed' });
    expect(receipts[0]?.error).toContain('131047');
  });

  it("ignores another phone number's events and non-message fields", () => {
    const other = envelope({ contacts, messages: [textMessage] }, '999999999999999');
    expect(whatsappAdapter.parse(webhook(other), config).messages).toEqual([]);
    const template = {
      object: 'whatsapp_business_account',
      entry: [
        { id: WABA_ID, changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] },
      ],
    };
    expect(whatsappAdapter.parse(webhook(template), config)).toEqual({ messages: [], receipts: [] });
  });

  it('refuses a Messenger body and non-JSON with InvalidInput', () => {
    expect(() => whatsappAdapter.parse(webhook({ object: 'page', entry: [] }), config)).toThrow(
      /whatsapp_business_account/,
    );
    const notJson = rawRequest({ url: URL_PATH, body: 'object=whatsapp' });
    expect(() => whatsappAdapter.parse(notJson, config)).toThrow(/not JSON/);
  });
});

describe('whatsapp: sending', () => {
  const withFake = async (
    fn: (config: WhatsAppConfig, fake: Awaited<ReturnType<typeof startFake>>) => Promise<void>,
  ) => {
    const fake = await startFake();
    try {
      await fn(whatsappAdapter.validateConfig(configFor(fake.baseUrl)), fake);
    } finally {
      await fake.close();
    }
  };

  it('sends quick replies as interactive reply buttons, with a Bearer token', async () => {
    await withFake(async (cfg, fake) => {
      const result = await whatsappAdapter.send(
        {
          id: 'msg_02',
          to: { kind: 'whatsapp', value: '+16505551234' },
          text: 'Was this helpful?',
          quickReplies: [
            { title: 'Yes', payload: 'CSAT_YES' },
            { title: 'No, I still need help with my order', payload: 'CSAT_NO' },
          ],
        },
        cfg,
        sendContext(),
      );
      expect(result).toMatchObject({
        status: 'sent',
        providerMessageId: expect.stringMatching(/^wa:wamid\./),
      });
      expect(fake.received).toHaveLength(1);
      const req = fake.received[0]!;
      expect(req.path).toBe(`/v21.0/${PHONE_NUMBER_ID}/messages`);
      expect(req.headers.authorization).toBe('Bearer EAAJB-test-access-token');
      expect(JSON.parse(req.body)).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '16505551234',
        biz_opaque_callback_data: 'msg_02',
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Was this helpful?' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'CSAT_YES', title: 'Yes' } },
              { type: 'reply', reply: { id: 'CSAT_NO', title: 'No, I still need hel' } },
            ],
          },
        },
      });
    });
  });

  it('refuses more than 3 quick replies without calling the API', async () => {
    await withFake(async (cfg, fake) => {
      const quickReplies = ['a', 'b', 'c', 'd'].map((t) => ({ title: t, payload: t }));
      const result = await whatsappAdapter.send(
        { id: 'msg_03', to: { kind: 'phone', value: '+16505551234' }, text: 'Pick one', quickReplies },
        cfg,
        sendContext(),
      );
      expect(result.status).toBe('final');
      expect(fake.received).toHaveLength(0);
    });
  });

  it('sends an image by link with the text as its caption, and a document after a text reply in context', async () => {
    await withFake(async (cfg, fake) => {
      const ctx = sendContext();
      await whatsappAdapter.send(
        {
          id: 'msg_04',
          to: { kind: 'whatsapp', value: '+16505551234' },
          text: 'Here it is in blue',
          media: [{ kind: 'image', url: 'https://cdn.example.com/blue.jpg' }],
        },
        cfg,
        ctx,
      );
      await whatsappAdapter.send(
        {
          id: 'msg_05',
          to: { kind: 'whatsapp', value: '+16505551234' },
          text: 'Both attached',
          media: [
            { kind: 'file', url: 'https://cdn.example.com/a.pdf', filename: 'a.pdf' },
            { kind: 'file', url: 'https://cdn.example.com/b.pdf', filename: 'b.pdf' },
          ],
          threading: { inReplyTo: `wa:${textMessage.id}` },
        },
        cfg,
        ctx,
      );
      const bodies = fake.received.map((r) => JSON.parse(r.body) as Record<string, unknown>);
      expect(bodies[0]).toMatchObject({
        type: 'image',
        image: { link: 'https://cdn.example.com/blue.jpg', caption: 'Here it is in blue' },
      });
      expect(bodies.slice(1)).toMatchObject([
        {
          type: 'document',
          document: { link: 'https://cdn.example.com/a.pdf', filename: 'a.pdf' },
          context: { message_id: textMessage.id },
        },
        { type: 'document', document: { link: 'https://cdn.example.com/b.pdf', filename: 'b.pdf' } },
        { type: 'text', text: { body: 'Both attached' } },
      ]);
      expect(bodies[2]).not.toHaveProperty('context');
    });
  });

  it('does not send a message twice when the same message is sent again', async () => {
    await withFake(async (cfg, fake) => {
      const ctx = sendContext();
      const msg = {
        id: 'msg_06',
        to: { kind: 'whatsapp' as const, value: '+16505551234' },
        text: 'Two photos',
        media: [
          { kind: 'image' as const, url: 'https://cdn.example.com/1.jpg' },
          { kind: 'image' as const, url: 'https://cdn.example.com/2.jpg' },
        ],
      };
      const first = await whatsappAdapter.send(msg, cfg, ctx);
      expect(first.status).toBe('sent');
      expect(fake.received).toHaveLength(3);
      // Same message again (e.g. the gateway lost our answer): nothing is sent twice.
      const again = await whatsappAdapter.send(msg, cfg, ctx);
      expect(again).toEqual(first);
      expect(fake.received).toHaveLength(3);
    });
  });

  it('after a failure halfway, a retry sends only the pieces that were not accepted', async () => {
    await withFake(async (cfg, fake) => {
      const ctx = sendContext();
      let calls = 0;
      const flaky = {
        ...ctx,
        http: {
          request: (url: string, init: Parameters<typeof ctx.http.request>[1]) => {
            calls += 1;
            if (calls === 2) return Promise.resolve({ status: 500, headers: {}, body: SOMETHING_WENT_WRONG });
            return ctx.http.request(url, init);
          },
        },
      };
      const msg = {
        id: 'msg_07',
        to: { kind: 'whatsapp' as const, value: '+16505551234' },
        text: 'Two photos',
        media: [
          { kind: 'image' as const, url: 'https://cdn.example.com/1.jpg' },
          { kind: 'image' as const, url: 'https://cdn.example.com/2.jpg' },
        ],
      };
      expect((await whatsappAdapter.send(msg, cfg, flaky)).status).toBe('retryable');
      expect(await whatsappAdapter.send(msg, cfg, flaky)).toMatchObject({ status: 'sent' });
      const links = fake.received.map(
        (r) => (JSON.parse(r.body) as { image?: { link: string } }).image?.link ?? 'text',
      );
      expect(links).toEqual(['https://cdn.example.com/1.jpg', 'https://cdn.example.com/2.jpg', 'text']);
    });
  });

  it('reports network failures as retryable and wrong identity kinds as final', async () => {
    const unreachable = whatsappAdapter.validateConfig(configFor('http://127.0.0.1:9'));
    const down = await whatsappAdapter.send(fixtures.outbound, unreachable, sendContext());
    expect(down.status).toBe('retryable');
    const wrongKind = await whatsappAdapter.send(
      { ...fixtures.outbound, to: { kind: 'telegram', value: '12345' } },
      unreachable,
      sendContext(),
    );
    expect(wrongKind.status).toBe('final');
  });
});

describe('whatsapp: config', () => {
  it('fills the Graph defaults and refuses bad values by field', () => {
    const cfg = whatsappAdapter.validateConfig({
      accessToken: 'x',
      appSecret: 'y',
      verifyToken: 'z',
      phoneNumberId: 106540352242922,
    });
    expect(cfg).toMatchObject({
      apiVersion: 'v21.0',
      apiBaseUrl: 'https://graph.facebook.com',
      phoneNumberId: PHONE_NUMBER_ID,
    });
    const base = configFor('https://graph.facebook.com');
    expect(() => whatsappAdapter.validateConfig({ ...base, phoneNumberId: '+1 650' })).toThrow(
      /phoneNumberId/,
    );
    expect(() => whatsappAdapter.validateConfig({ ...base, apiVersion: '21' })).toThrow(/apiVersion/);
    expect(() => whatsappAdapter.validateConfig({ ...base, apiBaseUrl: 'ftp://x' })).toThrow(/apiBaseUrl/);
    expect(() => whatsappAdapter.validateConfig({ ...base, appSecret: '' })).toThrow(/appSecret/);
  });
});

describe('whatsapp: classifyFailure on recorded error bodies', () => {
  it.each([
    ['130429 throughput (HTTP 400)', 400, RATE_LIMITED, 'retryable'],
    [
      '131056 pair rate limit',
      400,
      graphError(
        131056,
        '(#131056) (Business Account, Consumer Account) pair rate limit hit',
        'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
      ),
      'retryable',
    ],
    ['4 app rate limit', 429, graphError(4, '(#4) Application request limit reached'), 'retryable'],
    [
      '80007 WABA rate limit',
      429,
      graphError(80007, '(#80007) There have been too many calls to this WhatsApp Business account.'),
      'retryable',
    ],
    ['131000 something went wrong', 500, SOMETHING_WENT_WRONG, 'retryable'],
    [
      '1 API unknown',
      400,
      graphError(1, '(#1) An unknown error occurred', 'Invalid request or possible server error.'),
      'retryable',
    ],
    ['2 API service', 503, graphError(2, '(#2) Service temporarily unavailable'), 'retryable'],
    ['131016 service unavailable', 503, graphError(131016, '(#131016) Service unavailable'), 'retryable'],
    ['an unknown code on a 502', 502, graphError(999999, 'Unexpected'), 'retryable'],
    ['a proxy HTML page on a 504', 504, '<html><body>Gateway Timeout</body></html>', 'retryable'],
    [
      'is_transient on an unknown code',
      400,
      graphError(999998, 'Please retry', undefined, { is_transient: true }),
      'retryable',
    ],
    ['131026 undeliverable', 400, UNDELIVERABLE, 'final'],
    [
      '131047 re-engagement window closed',
      400,
      graphError(
        131047,
        '(#131047) Re-engagement message',
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      ),
      'final',
    ],
    [
      '100 invalid parameter',
      400,
      graphError(100, '(#100) Invalid parameter', "Parameter 'to' is invalid"),
      'final',
    ],
    [
      '190 expired token (needs a human)',
      401,
      graphError(
        190,
        'Error validating access token: Session has expired on Thursday, 01-Jan-26 09:00:00 PST.',
        undefined,
        { error_subcode: 463 },
      ),
      'final',
    ],
    [
      '3 capability issue even on a 500',
      500,
      graphError(3, '(#3) Application does not have the capability to make this API call.'),
      'final',
    ],
    ['131048 spam rate limit', 400, graphError(131048, '(#131048) Spam rate limit hit'), 'final'],
    ['an unknown 4xx', 403, graphError(200, '(#200) Permissions error'), 'final'],
  ] as const)('%s → %s', (_name, status, body, expected) => {
    const result = whatsappAdapter.classifyFailure(status, body);
    expect(result.status).toBe(expected);
    expect(result.error).toContain(`HTTP ${status}`);
  });
});
