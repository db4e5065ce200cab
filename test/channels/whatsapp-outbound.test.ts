// WhatsApp outbound: message sends against the local Graph fake (interactive buttons, media, replies in
// context, no double sends, partial retries) and classifyFailure on recorded Graph error bodies.
import { describe, expect, it } from 'vitest';
import { sendContext } from '../../src/channels/channel-contract.js';
import { type WhatsAppConfig, whatsappAdapter } from '../../src/channels/whatsapp/index.js';
import {
  configFor,
  fixtures,
  graphError,
  PHONE_NUMBER_ID,
  RATE_LIMITED,
  SOMETHING_WENT_WRONG,
  startFake,
  textMessage,
  UNDELIVERABLE,
} from './whatsapp-fixtures.js';

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

  /** A text with two images: three sends to the Cloud API, so a retry can stop half-way. */
  const twoPhotos = (id: string) => ({
    id,
    to: { kind: 'whatsapp' as const, value: '+16505551234' },
    text: 'Two photos',
    media: [
      { kind: 'image' as const, url: 'https://cdn.example.com/1.jpg' },
      { kind: 'image' as const, url: 'https://cdn.example.com/2.jpg' },
    ],
  });

  it('does not send a message twice when the same message is sent again', async () => {
    await withFake(async (cfg, fake) => {
      const ctx = sendContext();
      const msg = twoPhotos('msg_06');
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
      const msg = twoPhotos('msg_07');
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
