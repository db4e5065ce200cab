import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runChannelContract, sendContext } from '../../src/channels/channel-contract.js';
import type { OutboundMessage } from '../../src/channels/contract.js';
import { type SmsConfig, smsAdapter } from '../../src/channels/sms/index.js';
import { InvalidInput } from '../../src/core/index.js';
import { type FakeRequest, rawRequest, startHttpFake } from '../fakes/http-provider.js';

const ACCOUNT_SID = 'AC3f8e2b1c0d9a8b7c6d5e4f3a2b1c0d9e';
const AUTH_TOKEN = '9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c';
const FROM = '+8613800138000';
const OUR_NUMBER = '+14155550100';
const WEBHOOK = '/webhooks/sms/4c1d7e2a';
const PUBLIC_URL = `https://switchboard.example.com${WEBHOOK}`;
const OUTBOUND_SID = 'SM1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c';

/**
 * The algorithm as Twilio's "Webhooks security" page states it, written out here on its own:
 * URL, then each POST parameter sorted by name as name+value, HMAC-SHA1 with the auth token, base64.
 */
function docSignature(token: string, url: string, params: Record<string, string>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) data += name + params[name];
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

function signedPost(params: Record<string, string>, opts: { token?: string; url?: string } = {}) {
  const publicUrl = opts.url ?? PUBLIC_URL;
  return rawRequest({
    method: 'POST',
    url: WEBHOOK,
    publicUrl,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': docSignature(opts.token ?? AUTH_TOKEN, publicUrl, params),
    },
    body: new URLSearchParams(params).toString(),
  });
}

// Shaped like "Twilio's request to your incoming message Webhook URL".
const INBOUND_TEXT = {
  ToCountry: 'US',
  ToState: 'CA',
  SmsMessageSid: 'SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
  NumMedia: '0',
  ToCity: 'SAN FRANCISCO',
  FromZip: '',
  SmsSid: 'SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
  FromState: '',
  SmsStatus: 'received',
  FromCity: '',
  Body: 'Hi, my order SO123 has not arrived + 还没到',
  FromCountry: 'CN',
  To: OUR_NUMBER,
  ToZip: '94105',
  NumSegments: '1',
  MessageSid: 'SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
  AccountSid: ACCOUNT_SID,
  From: FROM,
  ApiVersion: '2010-04-01',
};

const INBOUND_MMS = {
  ...INBOUND_TEXT,
  SmsMessageSid: 'MM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e',
  SmsSid: 'MM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e',
  MessageSid: 'MM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e',
  Body: 'photo of the box',
  NumMedia: '1',
  MediaContentType0: 'image/jpeg',
  MediaUrl0: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/MM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e/Media/ME2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f`,
};

// Shaped like a status callback in "Track the Message Status of Outbound Messages".
const DELIVERED = {
  SmsSid: OUTBOUND_SID,
  SmsStatus: 'delivered',
  MessageStatus: 'delivered',
  To: FROM,
  MessageSid: OUTBOUND_SID,
  AccountSid: ACCOUNT_SID,
  From: OUR_NUMBER,
  ApiVersion: '2010-04-01',
};

function smsFake() {
  return startHttpFake((req: FakeRequest) => {
    if (req.method === 'POST' && req.path === `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`) {
      const form = new URLSearchParams(req.body);
      return {
        status: 201,
        body: JSON.stringify({
          account_sid: ACCOUNT_SID,
          api_version: '2010-04-01',
          body: form.get('Body'),
          date_created: 'Thu, 24 Aug 2023 05:01:45 +0000',
          date_sent: null,
          date_updated: 'Thu, 24 Aug 2023 05:01:45 +0000',
          direction: 'outbound-api',
          error_code: null,
          error_message: null,
          from: form.get('From'),
          messaging_service_sid: null,
          num_media: String(form.getAll('MediaUrl').length),
          num_segments: '1',
          price: null,
          price_unit: null,
          sid: OUTBOUND_SID,
          status: 'queued',
          subresource_uris: {
            media: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${OUTBOUND_SID}/Media.json`,
          },
          to: form.get('To'),
          uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${OUTBOUND_SID}.json`,
        }),
      };
    }
    return {
      status: 404,
      body: '{"code":20404,"message":"The requested resource was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}',
    };
  });
}

const config = (baseUrl: string): SmsConfig => ({
  accountSid: ACCOUNT_SID,
  authToken: AUTH_TOKEN,
  fromNumber: OUR_NUMBER,
  apiBaseUrl: baseUrl,
});

const outbound: OutboundMessage = {
  id: '01910f3c-7b1e-7c55-9a0e-2f4d8c6b1a21',
  to: { kind: 'phone', value: FROM },
  text: 'Your order SO123 ships today.',
};

// Recorded error bodies (REST API errors: 20429, 20500, 21211, 21614, 21610, 20003).
const TOO_MANY =
  '{"code":20429,"message":"Too Many Requests","more_info":"https://www.twilio.com/docs/errors/20429","status":429}';
const SERVER_ERROR =
  '{"code":20500,"message":"An internal server error has occurred","more_info":"https://www.twilio.com/docs/errors/20500","status":500}';
const INVALID_TO =
  '{"code":21211,"message":"Invalid \'To\' Phone Number: +861380013800","more_info":"https://www.twilio.com/docs/errors/21211","status":400}';

runChannelContract(smsAdapter, {
  startFake: smsFake,
  config: (fake) => config(fake.baseUrl),
  inbound: {
    text: signedPost(INBOUND_TEXT),
    media: signedPost(INBOUND_MMS),
    receipt: signedPost(DELIVERED),
    badSignature: signedPost(INBOUND_TEXT, { token: 'not-the-auth-token' }),
    malformed: signedPost({ Foo: 'bar', AccountSid: ACCOUNT_SID }),
  },
  expected: {
    text: 'Hi, my order SO123 has not arrived + 还没到',
    from: { kind: 'phone', value: FROM },
    receiptFor: `sms:${OUTBOUND_SID}`,
  },
  outbound,
  errors: { rateLimited: [429, TOO_MANY], serverError: [500, SERVER_ERROR], badRequest: [400, INVALID_TO] },
});

const cfg = config('http://127.0.0.1:9');

describe('sms: request signature', () => {
  // The worked example on Twilio's security page, auth token 12345; the page has shown it with two
  // caller numbers over the years, each with its signature.
  it.each([
    ['+12349013030', '0/KCTR6DLpKmkAf8muzZqo1nDgQ='],
    ['+14158675309', 'RSOYDt4T1cUTdK1PDd93/VVr8B8='],
  ])('accepts the documented example with caller %s', (caller, signature) => {
    const req = rawRequest({
      method: 'POST',
      url: '/myapp.php?foo=1&bar=2',
      publicUrl: 'https://mycompany.com/myapp.php?foo=1&bar=2',
      headers: { 'x-twilio-signature': signature },
      body: new URLSearchParams({
        CallSid: 'CA1234567890ABCDE',
        Caller: caller,
        Digits: '1234',
        From: caller,
        To: '+18005551212',
      }).toString(),
    });
    expect(smsAdapter.verify(req, { ...cfg, authToken: '12345' })).toEqual({ ok: true });
  });

  it('signs the public URL: the same body posted to another URL is refused', () => {
    const req = signedPost(INBOUND_TEXT, { url: 'https://switchboard.example.com/webhooks/sms/other' });
    expect(smsAdapter.verify({ ...req, publicUrl: PUBLIC_URL }, cfg).ok).toBe(false);
  });

  it('refuses a changed parameter and a missing header', () => {
    const req = signedPost(INBOUND_TEXT);
    const tampered = { ...req, rawBody: Buffer.from(req.rawBody.toString().replace('SO123', 'SO999')) };
    expect(smsAdapter.verify(tampered, cfg).ok).toBe(false);
    const unsigned = { ...req, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    expect(smsAdapter.verify(unsigned, cfg)).toMatchObject({ ok: false });
  });
});

describe('sms: inbound', () => {
  it('parses a text with its sender as a phone identity and answers with empty TwiML', () => {
    const result = smsAdapter.parse(signedPost(INBOUND_TEXT), cfg);
    expect(result.messages).toEqual([
      {
        kind: 'text',
        text: 'Hi, my order SO123 has not arrived + 还没到',
        providerMessageId: 'sms:SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
        from: { identities: [{ kind: 'phone', value: FROM }] },
      },
    ]);
    expect(result.reply).toMatchObject({ status: 200, contentType: 'text/xml' });
  });

  it('parses MMS media with its content type and the body as caption text', () => {
    const [msg] = smsAdapter.parse(signedPost(INBOUND_MMS), cfg).messages;
    expect(msg).toMatchObject({
      kind: 'media',
      text: 'photo of the box',
      media: [{ kind: 'image', url: INBOUND_MMS.MediaUrl0, mimeType: 'image/jpeg' }],
    });
  });

  it('refuses a NumMedia that promises media it does not carry', () => {
    const req = signedPost({ ...INBOUND_TEXT, NumMedia: '2', MediaUrl0: INBOUND_MMS.MediaUrl0 });
    expect(() => smsAdapter.parse(req, cfg)).toThrow(InvalidInput);
  });
});

describe('sms: status callbacks', () => {
  it('turns a delivered callback into a delivered receipt for the message we sent', () => {
    const result = smsAdapter.parse(signedPost(DELIVERED), cfg);
    expect(result.messages).toEqual([]);
    expect(result.receipts).toEqual([{ providerMessageId: `sms:${OUTBOUND_SID}`, status: 'delivered' }]);
  });

  it('reports undelivered as failed with its error code', () => {
    const req = signedPost({
      ...DELIVERED,
      SmsStatus: 'undelivered',
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
    });
    expect(smsAdapter.parse(req, cfg).receipts).toEqual([
      { providerMessageId: `sms:${OUTBOUND_SID}`, status: 'failed', error: 'error 30003' },
    ]);
  });

  it.each([
    ['sent', 'sent'],
    ['read', 'read'],
    ['failed', 'failed'],
  ] as const)('maps %s to %s', (status, expected) => {
    const req = signedPost({ ...DELIVERED, SmsStatus: status, MessageStatus: status });
    expect(smsAdapter.parse(req, cfg).receipts[0]?.status).toBe(expected);
  });

  it('reports nothing for queued, which precedes leaving the provider', () => {
    const req = signedPost({ ...DELIVERED, SmsStatus: 'queued', MessageStatus: 'queued' });
    expect(smsAdapter.parse(req, cfg)).toMatchObject({ messages: [], receipts: [] });
  });
});

describe('sms: sending', () => {
  it('posts To, From, Body, media URLs and the status callback with HTTP Basic auth', async () => {
    const fake = await smsFake();
    try {
      const c = { ...config(fake.baseUrl), statusCallbackUrl: PUBLIC_URL };
      const msg: OutboundMessage = {
        ...outbound,
        media: [{ kind: 'image', url: 'https://cdn.example.com/label.png' }],
        quickReplies: [
          { title: 'Track', payload: 'TRACK' },
          { title: 'Refund', payload: 'REFUND' },
        ],
      };
      expect(await smsAdapter.send(msg, c, sendContext())).toEqual({
        status: 'sent',
        providerMessageId: `sms:${OUTBOUND_SID}`,
      });
      const [req] = fake.received;
      expect(req?.headers.authorization).toBe(
        `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
      );
      const form = new URLSearchParams(req?.body);
      expect(Object.fromEntries(form)).toEqual({
        To: FROM,
        From: OUR_NUMBER,
        Body: 'Your order SO123 ships today.\n\n1. Track\n2. Refund',
        MediaUrl: 'https://cdn.example.com/label.png',
        StatusCallback: PUBLIC_URL,
      });
    } finally {
      await fake.close();
    }
  });

  it('refuses media without a URL, before calling the provider', async () => {
    const fake = await smsFake();
    try {
      const msg: OutboundMessage = { ...outbound, media: [{ kind: 'image', providerMediaId: 'MEDIA_1' }] };
      expect(await smsAdapter.send(msg, config(fake.baseUrl), sendContext())).toMatchObject({
        status: 'final',
      });
      expect(fake.received).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it('refuses a recipient that is not a phone number', async () => {
    const msg: OutboundMessage = { ...outbound, to: { kind: 'wechat_openid', value: 'oUpF8u' } };
    expect(await smsAdapter.send(msg, cfg, sendContext())).toMatchObject({ status: 'final' });
  });

  it('passes on how long a 429 asked us to wait', async () => {
    const ctx = {
      ...sendContext(),
      http: { request: async () => ({ status: 429, headers: { 'retry-after': '30' }, body: TOO_MANY }) },
    };
    expect(await smsAdapter.send(outbound, cfg, ctx)).toMatchObject({
      status: 'retryable',
      retryAfterMs: 30_000,
    });
  });

  it('is retryable when the provider cannot be reached', async () => {
    expect(await smsAdapter.send(outbound, cfg, sendContext())).toMatchObject({ status: 'retryable' });
  });
});

describe('sms: classifyFailure on recorded errors', () => {
  it.each([
    [429, TOO_MANY, 'retryable'],
    [500, SERVER_ERROR, 'retryable'],
    [
      503,
      '{"code":20503,"message":"Service Unavailable","more_info":"https://www.twilio.com/docs/errors/20503","status":503}',
      'retryable',
    ],
    [502, '<html>Bad Gateway</html>', 'retryable'],
    [400, INVALID_TO, 'final'],
    [
      400,
      '{"code":21614,"message":"\'To\' number is not a valid mobile number","more_info":"https://www.twilio.com/docs/errors/21614","status":400}',
      'final',
    ],
    [
      400,
      '{"code":21610,"message":"Attempt to send to unsubscribed recipient","more_info":"https://www.twilio.com/docs/errors/21610","status":400}',
      'final',
    ],
    [
      401,
      '{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}',
      'final',
    ],
  ] as const)('HTTP %i %s is %s', (status, body, expected) => {
    expect(smsAdapter.classifyFailure(status, body).status).toBe(expected);
  });

  it('names the provider error code in the message', () => {
    expect(smsAdapter.classifyFailure(400, INVALID_TO)).toMatchObject({
      error: expect.stringContaining('21211'),
    });
  });
});

describe('sms: config', () => {
  it('defaults the API base to Twilio and checks the sender', () => {
    const { apiBaseUrl: _omit, ...raw } = config('');
    expect(smsAdapter.validateConfig(raw).apiBaseUrl).toBe('https://api.twilio.com');
    expect(smsAdapter.validateConfig({ ...raw, fromNumber: 'ACME' }).fromNumber).toBe('ACME');
    expect(() => smsAdapter.validateConfig({ ...raw, fromNumber: '13800138000x' })).toThrow(InvalidInput);
    expect(() => smsAdapter.validateConfig({ ...raw, statusCallbackUrl: 'not a url' })).toThrow(InvalidInput);
  });
});
