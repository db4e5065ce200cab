// WhatsApp inbound: the GET subscription handshake, X-Hub-Signature-256 checks, and parsing
// webhook bodies into messages and receipts (every message type, statuses, foreign numbers, bad bodies).
import { describe, expect, it } from 'vitest';
import type { RawRequest } from '../../src/channels/contract.js';
import { whatsappAdapter } from '../../src/channels/whatsapp/index.js';
import { rawRequest } from '../fakes/http-provider.js';
import {
  configFor,
  contacts,
  deliveredStatus,
  envelope,
  imageMessage,
  OUR_WAMID,
  sign,
  textBody,
  textMessage,
  URL_PATH,
  VERIFY_TOKEN,
  WABA_ID,
  webhook,
} from './whatsapp-fixtures.js';

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
