import { describe, expect, it } from 'vitest';
import {
  type ChannelFixtures,
  runChannelContract,
  sendContext,
} from '../../src/channels/channel-contract.js';
import type { RawRequest } from '../../src/channels/contract.js';
import { type MessengerConfig, messengerAdapter } from '../../src/channels/messenger/index.js';
import { rawRequest, startHttpFake } from '../fakes/http-provider.js';
import { metaSignature, metaWebhook } from '../fakes/meta-webhook.js';

const APP_SECRET = 'messenger-app-secret';
const VERIFY_TOKEN = 'messenger-verify-token';
const PAGE_TOKEN = 'EAAPage-test-token';
const PAGE_ID = '104813565036493';
const PSID = '6945170142237282';
const OUR_MID = 'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P';
const URL_PATH = '/webhooks/messenger/ch_2';

function sign(body: string | Buffer, secret = APP_SECRET): string {
  return metaSignature(body, secret);
}

function webhook(body: unknown, signature?: string): RawRequest {
  return metaWebhook(URL_PATH, body, APP_SECRET, signature);
}

/** `{object:'page', entry:[{id, time, messaging:[…]}]}` as the Messenger webhook reference shows it. */
function envelope(...messaging: Record<string, unknown>[]) {
  return { object: 'page', entry: [{ id: PAGE_ID, time: 1583173667623, messaging }] };
}

const people = { sender: { id: PSID }, recipient: { id: PAGE_ID } };

const textEvent = {
  ...people,
  timestamp: 1583173666767,
  message: {
    mid: 'm_toDnmD9Cu0bwvXoW8i3ueH5ymWABpEoyLBw3F5BBXSKdvc0wcMHvaG-B6TXsrF9Z4xTjSPVCnf7qAIu9BIHbaEQ',
    text: 'hello, world!',
  },
};

const imageEvent = {
  ...people,
  timestamp: 1583173667767,
  message: {
    mid: 'm_1457764197618:41d102a3e1ae206a38',
    attachments: [
      { type: 'image', payload: { url: 'https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg' } },
    ],
  },
};

const deliveryEvent = { ...people, delivery: { mids: [OUR_MID], watermark: 1458668856253 } };

function graphError(code: number, message: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    error: { message, type: 'OAuthException', code, ...extra, fbtrace_id: 'BLBz/WZt8dN' },
  });
}

const RATE_LIMITED = graphError(613, '(#613) Calls to this api have exceeded the rate limit.');
const TEMPORARY = graphError(1200, '(#1200) Temporary send message failure. Please try again later');
const NO_USER = graphError(100, '(#100) No matching user found', { error_subcode: 2018001 });

let sent = 0;
async function startFake() {
  return startHttpFake((req) => {
    const url = new URL(req.path, 'http://fake');
    if (req.method !== 'POST' || url.pathname !== '/v21.0/me/messages') {
      return { status: 404, body: graphError(100, 'Unknown path components') };
    }
    if (url.searchParams.get('access_token') !== PAGE_TOKEN) {
      return { status: 400, body: graphError(190, 'Invalid OAuth access token.') };
    }
    const recipient = (JSON.parse(req.body) as { recipient: { id: string } }).recipient.id;
    sent += 1;
    return { status: 200, body: JSON.stringify({ recipient_id: recipient, message_id: `m_fake${sent}` }) };
  });
}

const configFor = (baseUrl: string): Record<string, unknown> => ({
  pageAccessToken: PAGE_TOKEN,
  appSecret: APP_SECRET,
  verifyToken: VERIFY_TOKEN,
  apiBaseUrl: baseUrl,
});

const textBody = JSON.stringify(envelope(textEvent));

const fixtures: ChannelFixtures<MessengerConfig> = {
  startFake,
  config: (fake) => configFor(fake.baseUrl) as unknown as MessengerConfig,
  inbound: {
    text: webhook(envelope(textEvent)),
    media: webhook(envelope(imageEvent)),
    receipt: webhook(envelope(deliveryEvent)),
    badSignature: rawRequest({
      url: URL_PATH,
      headers: { 'x-hub-signature-256': sign(`${textBody}\n`) },
      body: textBody,
    }),
    malformed: webhook({
      object: 'page',
      entry: [{ id: PAGE_ID, messaging: [{ ...people, timestamp: 1, message: { text: 'no mid' } }] }],
    }),
  },
  expected: {
    text: 'hello, world!',
    from: { kind: 'messenger', value: PSID },
    receiptFor: `fb:${OUR_MID}`,
  },
  outbound: { id: 'msg_01', to: { kind: 'messenger', value: PSID }, text: 'Hi! How can we help?' },
  errors: {
    rateLimited: [400, RATE_LIMITED],
    serverError: [500, TEMPORARY],
    badRequest: [400, NO_USER],
  },
};

runChannelContract(messengerAdapter, fixtures);

const config = messengerAdapter.validateConfig(configFor('http://127.0.0.1:9'));

describe('messenger: webhook verification', () => {
  const handshake = (query: Record<string, string>) => rawRequest({ method: 'GET', url: URL_PATH, query });

  it('echoes hub.challenge as text/plain when the verify token matches', () => {
    const verdict = messengerAdapter.verify(
      handshake({
        'hub.mode': 'subscribe',
        'hub.verify_token': VERIFY_TOKEN,
        'hub.challenge': 'CHALLENGE_ACCEPTED',
      }),
      config,
    );
    expect(verdict).toEqual({
      ok: true,
      handshake: { status: 200, contentType: 'text/plain', body: 'CHALLENGE_ACCEPTED' },
    });
  });

  it('refuses the wrong verify token', () => {
    const verdict = messengerAdapter.verify(
      handshake({
        'hub.mode': 'subscribe',
        'hub.verify_token': 'guess',
        'hub.challenge': 'CHALLENGE_ACCEPTED',
      }),
      config,
    );
    expect(verdict).toMatchObject({ ok: false });
  });

  it('refuses a body whose signature was computed over different bytes', () => {
    const tampered = JSON.stringify(
      envelope({ ...textEvent, message: { ...textEvent.message, text: 'hello, world?' } }),
    );
    const req = rawRequest({
      url: URL_PATH,
      headers: { 'x-hub-signature-256': sign(textBody) },
      body: tampered,
    });
    expect(messengerAdapter.verify(req, config)).toMatchObject({ ok: false });
    expect(messengerAdapter.verify(webhook(envelope(textEvent)), config)).toEqual({ ok: true });
  });
});

describe('messenger: parsing', () => {
  it('ignores is_echo messages (our own sends)', () => {
    const echo = {
      sender: { id: PAGE_ID },
      recipient: { id: PSID },
      timestamp: 1457764197627,
      message: {
        is_echo: true,
        app_id: 1517776481860111,
        metadata: 'msg_01',
        mid: OUR_MID,
        text: 'hello, world!',
      },
    };
    expect(messengerAdapter.parse(webhook(envelope(echo)), config)).toEqual({ messages: [], receipts: [] });
  });

  it('turns a delivery into receipts for each mid, and two events in one POST into two messages', () => {
    const body = envelope(textEvent, imageEvent, {
      ...people,
      delivery: { mids: [OUR_MID, 'm_second'], watermark: 1458668856253 },
    });
    const { messages, receipts } = messengerAdapter.parse(webhook(body), config);
    expect(messages).toMatchObject([
      {
        kind: 'text',
        providerMessageId: `fb:${textEvent.message.mid}`,
        from: { identities: [{ kind: 'messenger', value: PSID }] },
        occurredAt: '2020-03-02T18:27:46.767Z',
      },
      {
        kind: 'media',
        media: [{ kind: 'image', url: 'https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg' }],
      },
    ]);
    expect(receipts).toEqual([
      { providerMessageId: `fb:${OUR_MID}`, status: 'delivered' },
      { providerMessageId: 'fb:m_second', status: 'delivered' },
    ]);
  });

  it('maps postbacks and quick-reply taps to postback messages with stable keys', () => {
    const body = envelope(
      {
        ...people,
        timestamp: 1527459824,
        postback: { mid: 'm_postback', title: 'Get Started', payload: 'GET_STARTED' },
      },
      {
        ...people,
        timestamp: 1527459900,
        message: { mid: 'm_qr', text: 'Red', quick_reply: { payload: 'COLOR_RED' } },
      },
    );
    const first = messengerAdapter.parse(webhook(body), config).messages;
    expect(first).toMatchObject([
      {
        kind: 'postback',
        providerMessageId: `fb:pb:${PSID}:1527459824`,
        postback: { payload: 'GET_STARTED', title: 'Get Started' },
      },
      { kind: 'postback', providerMessageId: 'fb:m_qr', postback: { payload: 'COLOR_RED', title: 'Red' } },
    ]);
    const again = messengerAdapter.parse(webhook(body), config).messages;
    expect(again.map((m) => m.providerMessageId)).toEqual(first.map((m) => m.providerMessageId));
  });

  it('parses files, audio, video, stickers and a shared location; read watermarks name no message', () => {
    const body = envelope(
      {
        ...people,
        timestamp: 1,
        message: {
          mid: 'm_files',
          attachments: [
            { type: 'file', payload: { url: 'https://cdn.fbsbx.com/v/t59/invoice.pdf' } },
            { type: 'audio', payload: { url: 'https://cdn.fbsbx.com/v/t59/voice.mp4' } },
            { type: 'video', payload: { url: 'https://video.xx.fbcdn.net/v/t42/clip.mp4' } },
            {
              type: 'image',
              payload: {
                url: 'https://scontent.xx.fbcdn.net/v/t39/369239263222822.png',
                sticker_id: 369239263222822,
              },
            },
          ],
        },
      },
      {
        ...people,
        timestamp: 2,
        message: {
          mid: 'm_loc',
          attachments: [
            {
              title: "Sheena's Location",
              url: 'https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.bing.com%2Fmaps',
              type: 'location',
              payload: { coordinates: { lat: 37.483307, long: -122.148981 } },
            },
          ],
        },
      },
      { ...people, timestamp: 1458668856463, read: { watermark: 1458668856253 } },
    );
    const { messages, receipts } = messengerAdapter.parse(webhook(body), config);
    expect(messages).toMatchObject([
      { kind: 'media', media: [{ kind: 'file' }, { kind: 'audio' }, { kind: 'video' }, { kind: 'sticker' }] },
      { kind: 'location', location: { lat: 37.483307, lng: -122.148981, name: "Sheena's Location" } },
    ]);
    expect(receipts).toEqual([]);
  });

  it('refuses a WhatsApp body with InvalidInput', () => {
    expect(() =>
      messengerAdapter.parse(webhook({ object: 'whatsapp_business_account', entry: [] }), config),
    ).toThrow(/"page"/);
  });
});

describe('messenger: sending', () => {
  const withFake = async (
    fn: (config: MessengerConfig, fake: Awaited<ReturnType<typeof startFake>>) => Promise<void>,
  ) => {
    const fake = await startFake();
    try {
      await fn(messengerAdapter.validateConfig(configFor(fake.baseUrl)), fake);
    } finally {
      await fake.close();
    }
  };

  it('sends quick replies as quick_replies, as a RESPONSE, with the page token', async () => {
    await withFake(async (cfg, fake) => {
      const result = await messengerAdapter.send(
        {
          id: 'msg_02',
          to: { kind: 'messenger', value: PSID },
          text: 'Pick a color:',
          quickReplies: [
            { title: 'Red', payload: 'COLOR_RED' },
            { title: 'Green', payload: 'COLOR_GREEN' },
          ],
        },
        cfg,
        sendContext(),
      );
      expect(result).toMatchObject({
        status: 'sent',
        providerMessageId: expect.stringMatching(/^fb:m_fake/),
      });
      expect(fake.received).toHaveLength(1);
      expect(fake.received[0]?.path).toBe(`/v21.0/me/messages?access_token=${PAGE_TOKEN}`);
      expect(JSON.parse(fake.received[0]?.body ?? '')).toEqual({
        recipient: { id: PSID },
        messaging_type: 'RESPONSE',
        message: {
          text: 'Pick a color:',
          quick_replies: [
            { content_type: 'text', title: 'Red', payload: 'COLOR_RED' },
            { content_type: 'text', title: 'Green', payload: 'COLOR_GREEN' },
          ],
        },
      });
    });
  });

  it('sends attachments by URL before the text, and refuses more than 13 quick replies', async () => {
    await withFake(async (cfg, fake) => {
      const ctx = sendContext();
      const result = await messengerAdapter.send(
        {
          id: 'msg_03',
          to: { kind: 'messenger', value: PSID },
          text: 'Your invoice',
          media: [{ kind: 'file', url: 'https://cdn.example.com/invoice.pdf' }],
        },
        cfg,
        ctx,
      );
      expect(result.status).toBe('sent');
      expect(fake.received.map((r) => (JSON.parse(r.body) as { message: unknown }).message)).toEqual([
        {
          attachment: {
            type: 'file',
            payload: { url: 'https://cdn.example.com/invoice.pdf', is_reusable: true },
          },
        },
        { text: 'Your invoice' },
      ]);
      const many = Array.from({ length: 14 }, (_, i) => ({ title: `#${i}`, payload: `P${i}` }));
      const refused = await messengerAdapter.send(
        { id: 'msg_04', to: { kind: 'messenger', value: PSID }, text: 'Pick', quickReplies: many },
        cfg,
        ctx,
      );
      expect(refused.status).toBe('final');
      expect(fake.received).toHaveLength(2);
    });
  });

  it('refuses identities that are not a PSID', async () => {
    const result = await messengerAdapter.send(
      { ...fixtures.outbound, to: { kind: 'email', value: 'a@example.com' } },
      config,
      sendContext(),
    );
    expect(result.status).toBe('final');
  });
});

describe('messenger: classifyFailure on recorded error bodies', () => {
  it.each([
    ['613 rate limit', 400, RATE_LIMITED, 'retryable'],
    [
      '4 application request limit',
      400,
      graphError(4, '(#4) Application request limit reached'),
      'retryable',
    ],
    ['1200 temporary send failure', 500, TEMPORARY, 'retryable'],
    [
      '2 unexpected error',
      500,
      graphError(2, 'An unexpected error has occurred. Please retry your request later.', {
        is_transient: true,
      }),
      'retryable',
    ],
    ['an empty 503', 503, '', 'retryable'],
    ['100/2018001 no matching user', 400, NO_USER, 'final'],
    [
      '10/2018278 outside the messaging window',
      400,
      graphError(10, '(#10) This message is sent outside of allowed window.', { error_subcode: 2018278 }),
      'final',
    ],
    [
      '551 person not available',
      400,
      graphError(551, "This person isn't available right now.", { error_subcode: 1545041 }),
      'final',
    ],
    [
      '190 invalid token (needs a human)',
      400,
      graphError(190, 'Invalid OAuth access token.', { error_subcode: 1234567 }),
      'final',
    ],
  ] as const)('%s → %s', (_name, status, body, expected) => {
    expect(messengerAdapter.classifyFailure(status, body).status).toBe(expected);
  });
});
