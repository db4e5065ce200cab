import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { runChannelContract, sendContext } from '../../src/channels/channel-contract.js';
import type { OutboundMessage, RawRequest } from '../../src/channels/contract.js';
import { type EmailConfig, emailAdapter } from '../../src/channels/email/index.js';
import { stripQuotedReply } from '../../src/channels/email/quotes.js';
import { InvalidInput } from '../../src/core/index.js';
import { startSmtpFake } from '../fakes/smtp-provider.js';

const SUPPORT = 'support@acme.test';
const CUSTOMER_ID = '<CAF2x7kQm1-Zb9LdX0Vw3pT8yH@mail.gmail.com>';
const OUTBOUND_ID = '01910f3c-7b1e-7c55-9a0e-2f4d8c6b1a21';
const OUR_MESSAGE_ID = `<${OUTBOUND_ID}@acme.test>`;

/** A message as the listener hands it to the gateway: raw RFC 5322 bytes plus the SMTP envelope. */
function smtpRequest(lines: string[], rcpt = SUPPORT): RawRequest {
  return {
    method: 'SMTP',
    url: '/smtp/email/4c1d7e2a',
    publicUrl: `smtp:${rcpt}`,
    headers: {
      'x-smtp-rcpt-to': rcpt,
      'x-smtp-mail-from': 'li.wei@example.org',
      'x-smtp-remote-address': '203.0.113.25',
    },
    query: {},
    rawBody: Buffer.from(lines.join('\r\n'), 'utf8'),
  };
}

// Shaped like Gmail's reply: multipart/alternative, the new text above "On … wrote:" and the quote.
const TEXT_MAIL = [
  'MIME-Version: 1.0',
  'Date: Mon, 24 Nov 2025 16:03:12 +0800',
  `Message-ID: ${CUSTOMER_ID}`,
  `In-Reply-To: ${OUR_MESSAGE_ID}`,
  `References: <welcome-42@acme.test> ${OUR_MESSAGE_ID}`,
  'Subject: Re: =?UTF-8?B?6K6i5Y2VIFNPMjAyNjExMjAtODg0MQ==?=',
  'From: =?UTF-8?B?5p2O5Lyf?= <Li.Wei@Example.org>',
  'To: Acme Support <support@acme.test>',
  'Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f6"',
  '',
  '--000000000000a1b2c3d4e5f6',
  'Content-Type: text/plain; charset="UTF-8"',
  'Content-Transfer-Encoding: 8bit',
  '',
  '我的订单 SO20261120-8841 还没到，请帮忙查一下。',
  '',
  'On Mon, Nov 24, 2025 at 10:00 AM Acme Support <support@acme.test>',
  'wrote:',
  '',
  '> Thanks for your order! It ships within two days.',
  '>',
  '',
  '--000000000000a1b2c3d4e5f6',
  'Content-Type: text/html; charset="UTF-8"',
  'Content-Transfer-Encoding: 8bit',
  '',
  '<div dir="ltr">我的订单 SO20261120-8841 还没到，请帮忙查一下。</div><br><div class="gmail_quote">On Mon, Nov 24, 2025 at 10:00 AM Acme Support &lt;<a href="mailto:support@acme.test">support@acme.test</a>&gt; wrote:<br><blockquote class="gmail_quote">Thanks for your order! It ships within two days.</blockquote></div>',
  '',
  '--000000000000a1b2c3d4e5f6--',
  '',
];
const TEXT_EXPECTED = '我的订单 SO20261120-8841 还没到，请帮忙查一下。';

const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDA==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');

// multipart/mixed with a photo and a PDF, as any client attaches files.
const MEDIA_MAIL = [
  'MIME-Version: 1.0',
  'Date: Mon, 24 Nov 2025 16:10:40 +0800',
  'Message-ID: <CAF2x7kQm1-media-7Hq@mail.gmail.com>',
  'Subject: Photo of the damaged box',
  'From: Li Wei <li.wei@example.org>',
  `To: ${SUPPORT}`,
  'Content-Type: multipart/mixed; boundary="000000000000f6e5d4c3b2a1"',
  '',
  '--000000000000f6e5d4c3b2a1',
  'Content-Type: text/plain; charset="UTF-8"',
  '',
  'The box arrived crushed, photo and invoice attached.',
  '',
  '--000000000000f6e5d4c3b2a1',
  'Content-Type: image/jpeg; name="box.jpg"',
  'Content-Disposition: attachment; filename="box.jpg"',
  'Content-Transfer-Encoding: base64',
  '',
  JPEG.toString('base64'),
  '--000000000000f6e5d4c3b2a1',
  'Content-Type: application/pdf; name="invoice-8841.pdf"',
  'Content-Disposition: attachment; filename="invoice-8841.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  PDF.toString('base64'),
  '--000000000000f6e5d4c3b2a1--',
  '',
];

/** A Postfix bounce (RFC 3464 report) for the message we sent with id OUTBOUND_ID. */
function bounce(action: string, original: 'text/rfc822-headers' | 'message/rfc822' = 'text/rfc822-headers') {
  return [
    'Return-Path: <>',
    'From: MAILER-DAEMON@mx.acme.test (Mail Delivery System)',
    'Subject: Undelivered Mail Returned to Sender',
    `To: ${SUPPORT}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    '\tboundary="8D6B1C0A12.1764000000/mx.acme.test"',
    'Message-Id: <20251124160000.8D6B1C0A12@mx.acme.test>',
    'Date: Mon, 24 Nov 2025 16:00:00 +0000 (UTC)',
    '',
    'This is a MIME-encapsulated message.',
    '',
    '--8D6B1C0A12.1764000000/mx.acme.test',
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.acme.test.',
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients.',
    '',
    '--8D6B1C0A12.1764000000/mx.acme.test',
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.acme.test',
    'X-Postfix-Queue-ID: 8D6B1C0A12',
    'Arrival-Date: Mon, 24 Nov 2025 15:59:58 +0000 (UTC)',
    '',
    'Final-Recipient: rfc822; li.wei@example.org',
    'Original-Recipient: rfc822;li.wei@example.org',
    `Action: ${action}`,
    `Status: ${action === 'failed' ? '5.1.1' : '4.4.1'}`,
    'Remote-MTA: dns; mx.example.org',
    'Diagnostic-Code: smtp; 550 5.1.1 <li.wei@example.org>: Recipient address rejected: User unknown',
    '',
    '--8D6B1C0A12.1764000000/mx.acme.test',
    'Content-Description: Undelivered Message Headers',
    `Content-Type: ${original}`,
    '',
    `From: Acme Support <${SUPPORT}>`,
    'To: li.wei@example.org',
    'Subject: Re: your order',
    `Message-ID: ${OUR_MESSAGE_ID}`,
    '',
    '--8D6B1C0A12.1764000000/mx.acme.test--',
    '',
  ];
}

const config = (baseUrl: string): EmailConfig => {
  const url = new URL(baseUrl);
  return {
    address: SUPPORT,
    fromName: 'Acme Support',
    smtpHost: url.hostname,
    smtpPort: Number(url.port),
    smtpSecure: false,
    smtpUser: undefined,
    smtpPassword: undefined,
  };
};

const outbound: OutboundMessage = {
  id: OUTBOUND_ID,
  to: { kind: 'email', value: 'li.wei@example.org' },
  text: '您好，您的包裹今天已从仓库发出。\n\nBest regards,\nAcme Support',
  threading: {
    inReplyTo: CUSTOMER_ID,
    references: ['<welcome-42@acme.test>', CUSTOMER_ID],
    subject: 'Re: 订单 SO20261120-8841',
  },
};

// Recorded replies from Gmail's "SMTP errors and codes" reference.
const TRY_LATER = '421 4.7.0 Try again later, closing connection.';
const TEMPORARILY_REJECTED = '451 4.3.0 Mail server temporarily rejected message.';
const NO_SUCH_USER =
  "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.";

runChannelContract(emailAdapter, {
  startFake: startSmtpFake,
  config: (fake) => config(fake.baseUrl),
  inbound: {
    text: smtpRequest(TEXT_MAIL),
    media: smtpRequest(MEDIA_MAIL),
    receipt: smtpRequest(bounce('failed')),
    badSignature: smtpRequest(TEXT_MAIL, 'sales@acme.test'),
    malformed: smtpRequest(['{"update_id":1,"message":{"text":"hi"}}']),
  },
  expected: {
    text: TEXT_EXPECTED,
    from: { kind: 'email', value: 'li.wei@example.org' },
    receiptFor: OUR_MESSAGE_ID,
  },
  outbound,
  errors: {
    rateLimited: [421, TRY_LATER],
    serverError: [451, TEMPORARILY_REJECTED],
    badRequest: [550, NO_SUCH_USER],
  },
});

const CONFIG = config('smtp://127.0.0.1:2525');
const parse = (lines: string[]) => emailAdapter.parse(smtpRequest(lines), CONFIG);
const mail = (headers: string[], body: string[]) => [
  'MIME-Version: 1.0',
  'Date: Tue, 25 Nov 2025 09:00:00 +0000',
  'From: Li Wei <li.wei@example.org>',
  `To: ${SUPPORT}`,
  'Content-Type: text/plain; charset=UTF-8',
  ...headers,
  '',
  ...body,
];

describe('e-mail config', () => {
  it('lower-cases the address and defaults the port to 587, or 465 with TLS from the start', () => {
    const raw = { address: 'Support@ACME.test', smtpHost: 'smtp.acme.test' };
    expect(emailAdapter.validateConfig(raw)).toMatchObject({
      address: SUPPORT,
      smtpPort: 587,
      smtpSecure: false,
    });
    expect(emailAdapter.validateConfig({ ...raw, smtpSecure: 'true' })).toMatchObject({
      smtpPort: 465,
      smtpSecure: true,
    });
  });

  it.each([
    ['address', { address: 'not an address', smtpHost: 'smtp.acme.test' }],
    ['smtpHost', { address: SUPPORT }],
    ['smtpPort', { address: SUPPORT, smtpHost: 'smtp.acme.test', smtpPort: 70000 }],
    ['smtpPassword', { address: SUPPORT, smtpHost: 'smtp.acme.test', smtpUser: 'support' }],
    ['smtpSecure', { address: SUPPORT, smtpHost: 'smtp.acme.test', smtpSecure: 'yes' }],
  ])('refuses a config with a bad %s, naming it', (field, raw) => {
    expect(() => emailAdapter.validateConfig(raw)).toThrow(InvalidInput);
    try {
      emailAdapter.validateConfig(raw);
    } catch (err) {
      expect((err as InvalidInput).message).toContain(field);
    }
  });
});

describe('e-mail verify', () => {
  it('accepts the envelope recipient in any case', () => {
    expect(emailAdapter.verify(smtpRequest(TEXT_MAIL, 'Support@Acme.TEST'), CONFIG)).toEqual({ ok: true });
  });

  it('refuses mail without an envelope recipient or without a From address', () => {
    const noRcpt = smtpRequest(TEXT_MAIL);
    delete noRcpt.headers['x-smtp-rcpt-to'];
    expect(emailAdapter.verify(noRcpt, CONFIG).ok).toBe(false);
    const noFrom = smtpRequest(TEXT_MAIL.filter((l) => !l.startsWith('From:')));
    expect(emailAdapter.verify(noFrom, CONFIG)).toMatchObject({ ok: false, reason: /From/ });
  });
});

describe('e-mail parse', () => {
  it('names the sender by lower-cased address with the decoded display name, and keeps the thread ids', async () => {
    const [msg] = (await parse(TEXT_MAIL)).messages;
    expect(msg).toMatchObject({
      kind: 'text',
      providerMessageId: `email:${CUSTOMER_ID}`,
      from: { identities: [{ kind: 'email', value: 'li.wei@example.org' }], displayName: '李伟' },
      occurredAt: '2025-11-24T08:03:12.000Z',
      threading: {
        messageId: CUSTOMER_ID,
        inReplyTo: OUR_MESSAGE_ID,
        references: ['<welcome-42@acme.test>', OUR_MESSAGE_ID],
        subject: 'Re: 订单 SO20261120-8841',
      },
    });
  });

  it('reads ids in one canonical form: brackets kept, comments dropped, folded References split', async () => {
    const [msg] = (
      await parse(
        mail(
          [
            'Message-ID: CAF-bare-id@mail.example.org',
            `In-Reply-To: ${OUR_MESSAGE_ID} (Acme Support's message of Mon, 24 Nov 2025)`,
            'References: <a1@acme.test>',
            `\t<a2@acme.test>\r\n ${OUR_MESSAGE_ID}`,
          ],
          ['Thanks!'],
        ),
      )
    ).messages;
    expect(msg).toMatchObject({
      providerMessageId: 'email:<CAF-bare-id@mail.example.org>',
      threading: {
        messageId: '<CAF-bare-id@mail.example.org>',
        inReplyTo: OUR_MESSAGE_ID,
        references: ['<a1@acme.test>', '<a2@acme.test>', OUR_MESSAGE_ID],
      },
    });
  });

  it('keys a message without a Message-ID by a hash of its bytes, the same on every delivery', async () => {
    const lines = mail([], ['No Message-ID here.']);
    const [a] = (await parse(lines)).messages;
    const [b] = (await parse([...lines])).messages;
    expect(a?.providerMessageId).toMatch(/^email:sha256:[0-9a-f]{64}$/);
    expect(a?.providerMessageId).toBe(b?.providerMessageId);
    expect(a).toMatchObject({ kind: 'text', text: 'No Message-ID here.' });
  });

  it('turns attachments into media with their name, type and size, without their bytes', async () => {
    const [msg] = (await parse(MEDIA_MAIL)).messages;
    expect(msg).toMatchObject({
      kind: 'media',
      text: 'The box arrived crushed, photo and invoice attached.',
      media: [
        { kind: 'image', filename: 'box.jpg', mimeType: 'image/jpeg', sizeBytes: JPEG.length },
        { kind: 'file', filename: 'invoice-8841.pdf', mimeType: 'application/pdf', sizeBytes: PDF.length },
      ],
    });
    expect(JSON.stringify(msg)).not.toContain(JPEG.toString('base64'));
  });

  it('uses the subject when the body is empty', async () => {
    const [msg] = (await parse(mail(['Subject: Where is my parcel?'], ['']))).messages;
    expect(msg).toMatchObject({ kind: 'text', text: 'Where is my parcel?' });
  });

  it('reads an HTML-only message as text, without its quoted part', async () => {
    const [msg] = (
      await parse([
        'From: Li Wei <li.wei@example.org>',
        `To: ${SUPPORT}`,
        'Message-ID: <html-only-1@example.org>',
        'Content-Type: text/html; charset=UTF-8',
        '',
        '<p>Please cancel order <b>SO-8841</b>.</p><blockquote>&gt; earlier text</blockquote>',
      ])
    ).messages;
    expect(msg).toMatchObject({ kind: 'text', text: 'Please cancel order SO-8841.' });
  });

  it.each([
    ['Auto-Submitted: auto-replied'],
    ['Auto-Submitted: auto-generated'],
    ['Precedence: bulk'],
    ['Precedence: auto_reply'],
    ['X-Autoreply: yes'],
  ])('treats mail with "%s" as an event, never a message to answer', async (header) => {
    const { messages } = await parse(mail([header, 'Subject: Out of office'], ['I am away until Monday.']));
    expect(messages).toEqual([expect.objectContaining({ kind: 'event', event: 'auto_reply' })]);
  });

  it('a message marked "Auto-Submitted: no" is a message', async () => {
    const { messages } = await parse(mail(['Auto-Submitted: no'], ['A person wrote this.']));
    expect(messages).toEqual([expect.objectContaining({ kind: 'text', text: 'A person wrote this.' })]);
  });

  it('our own address as the sender is an event (a mail loop), not a message', async () => {
    const lines = mail([], ['looped']).map((l) => (l.startsWith('From:') ? `From: Acme <${SUPPORT}>` : l));
    expect((await parse(lines)).messages).toEqual([
      expect.objectContaining({ kind: 'event', event: 'own_message' }),
    ]);
  });

  it('a bounce marks the message it returns failed, with the diagnostic', async () => {
    for (const original of ['text/rfc822-headers', 'message/rfc822'] as const) {
      const { messages, receipts } = await parse(bounce('failed', original));
      expect(messages).toEqual([]);
      expect(receipts).toEqual([
        {
          providerMessageId: OUR_MESSAGE_ID,
          status: 'failed',
          error: 'smtp; 550 5.1.1 <li.wei@example.org>: Recipient address rejected: User unknown',
          occurredAt: '2025-11-24T16:00:00.000Z',
        },
      ]);
    }
  });

  it('a "delayed" report records nothing: the message is still on its way', async () => {
    expect(await parse(bounce('delayed'))).toEqual({ messages: [], receipts: [] });
  });
});

describe('quoted replies', () => {
  it.each([
    [
      'Gmail',
      'Yes, please.\n\nOn Mon, Nov 24, 2025 at 10:00 AM Acme <support@acme.test> wrote:\n> Shall we?',
    ],
    [
      'Apple Mail',
      'Yes, please.\n\nOn 24 Nov 2025, at 10:00, Acme <support@acme.test> wrote:\n\n> Shall we?',
    ],
    ['Foxmail', 'Yes, please.\n\n在 2025年11月24日 10:00，Acme <support@acme.test> 写道：\n> Shall we?'],
    [
      'Gmail (zh-CN)',
      'Yes, please.\n\nAcme <support@acme.test> 于2025年11月24日周一 10:00写道：\n\n> Shall we?',
    ],
    ['Outlook', 'Yes, please.\n\n-----Original Message-----\nFrom: Acme\nSent: Monday\n\nShall we?'],
    [
      'Outlook (rule)',
      'Yes, please.\r\n\r\n________________________________\r\nFrom: Acme <support@acme.test>\r\nSent: Monday, 24 November 2025 10:00\r\nShall we?',
    ],
    ['QQ Mail', 'Yes, please.\n\n------------------ 原始邮件 ------------------\n发件人: "Acme"\nShall we?'],
    ['interleaved', '> Shall we?\nYes, please.\n> Anything else?'],
  ])('%s: keeps only the new text', (_client, text) => {
    expect(stripQuotedReply(text)).toBe('Yes, please.');
  });

  it.each([
    ['On the phone your colleague wrote:\nplease call me back before Friday.'],
    ['他在信中写道：\n请尽快发货。'],
    ['On Monday I called you,\nand nobody wrote:\nanything down.'],
  ])("keeps a customer's own sentence about writing: %j", (text) => {
    expect(stripQuotedReply(text)).toBe(text);
  });

  it('keeps a forwarded message and lines that merely mention writing', () => {
    const text =
      'See below, and note: on Monday he wrote to us too.\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.org>\nDate: Mon\n\nHello';
    expect(stripQuotedReply(text)).toBe(text);
  });
});

describe('e-mail send', () => {
  const ctx = { ...sendContext(), now: () => Date.parse('2025-11-24T09:00:00Z') };

  it('threads the reply: our Message-ID, In-Reply-To and References from the customer, text and HTML', async () => {
    const fake = await startSmtpFake();
    try {
      const result = await emailAdapter.send(outbound, config(fake.baseUrl), ctx);
      expect(result).toEqual({
        status: 'sent',
        providerMessageId: OUR_MESSAGE_ID,
        threading: { messageId: OUR_MESSAGE_ID },
      });
      const [captured] = fake.mails;
      expect(captured).toMatchObject({ mailFrom: SUPPORT, rcptTo: ['li.wei@example.org'] });
      const sent = await simpleParser(captured?.raw ?? '');
      expect(sent.messageId).toBe(OUR_MESSAGE_ID);
      expect(sent.inReplyTo).toBe(CUSTOMER_ID);
      expect(sent.references).toEqual(['<welcome-42@acme.test>', CUSTOMER_ID]);
      expect(sent.subject).toBe('Re: 订单 SO20261120-8841');
      expect(sent.from?.value).toEqual([{ address: SUPPORT, name: 'Acme Support' }]);
      expect(sent.date?.toISOString()).toBe('2025-11-24T09:00:00.000Z');
      expect(sent.text?.trim()).toBe(outbound.text);
      expect(sent.html).toContain('<p>您好，您的包裹今天已从仓库发出。</p>');
    } finally {
      await fake.close();
    }
  });

  it('the customer answering our mail names exactly the id send returned', async () => {
    const fake = await startSmtpFake();
    try {
      const result = await emailAdapter.send(outbound, config(fake.baseUrl), ctx);
      const ours = await simpleParser(fake.mails[0]?.raw ?? '');
      const reply = mail(
        [
          `Message-ID: <reply-2@example.org>`,
          `In-Reply-To: ${ours.messageId}`,
          `References: ${ours.messageId}`,
        ],
        ['Thank you!'],
      );
      const [msg] = (await parse(reply)).messages;
      expect(result.status === 'sent' && result.providerMessageId).toBe(
        msg?.kind === 'text' && msg.threading?.inReplyTo,
      );
    } finally {
      await fake.close();
    }
  });

  it('without a thread: a default subject, no In-Reply-To; quick replies and media links become lines', async () => {
    const fake = await startSmtpFake();
    try {
      await emailAdapter.send(
        {
          id: '01910f3c-0000-7000-8000-000000000001',
          to: { kind: 'email', value: 'li.wei@example.org' },
          text: 'Which one?',
          quickReplies: [
            { title: 'Refund', payload: 'refund' },
            { title: 'Replacement', payload: 'replace' },
          ],
          media: [{ kind: 'file', url: 'https://files.acme.test/label.pdf', filename: 'label.pdf' }],
        },
        config(fake.baseUrl),
        ctx,
      );
      const sent = await simpleParser(fake.mails[0]?.raw ?? '');
      expect(sent.subject).toBe('Re: your message');
      expect(sent.inReplyTo).toBeUndefined();
      expect(sent.text?.trim()).toBe(
        'Which one?\n\n1. Refund\n2. Replacement\n\nlabel.pdf: https://files.acme.test/label.pdf',
      );
      expect(sent.html).toContain('<a href="https://files.acme.test/label.pdf">');
    } finally {
      await fake.close();
    }
  });

  it('logs in with the configured user', async () => {
    const fake = await startSmtpFake();
    try {
      const withLogin = { ...config(fake.baseUrl), smtpUser: 'support@acme.test', smtpPassword: 's3cret' };
      expect(await emailAdapter.send(outbound, withLogin, ctx)).toMatchObject({ status: 'sent' });
      expect(fake.mails[0]?.user).toBe('support@acme.test');
    } finally {
      await fake.close();
    }
  });

  it('a server that cannot be reached is retryable', async () => {
    const fake = await startSmtpFake();
    const cfg = config(fake.baseUrl);
    await fake.close();
    const result = await emailAdapter.send(outbound, cfg, ctx);
    expect(result).toMatchObject({ status: 'retryable', error: /ECONNECTION|ECONNREFUSED/ });
  });
});

describe('e-mail classifyFailure', () => {
  it.each([
    [421, '421 4.7.0 Try again later, closing connection.', 'retryable'],
    [450, '450 4.2.1 The user you are trying to contact is receiving mail too quickly.', 'retryable'],
    [451, TEMPORARILY_REJECTED, 'retryable'],
    [452, '452 4.2.2 The email account that you tried to reach is over quota.', 'retryable'],
    [503, '503 5.5.1 Bad sequence of commands.', 'retryable'],
    [0, 'connect ECONNREFUSED 127.0.0.1:25', 'retryable'],
    [550, NO_SUCH_USER, 'final'],
    [550, '550 5.7.1 This message violates example.com email policy.', 'final'],
    [553, '553 5.1.3 The recipient address is not a valid RFC 5321 address.', 'final'],
    [554, '554 5.6.0 Message exceeded 50 hops, this may indicate a mail loop.', 'final'],
  ] as const)('%i "%s" is %s', (status, body, expected) => {
    const result = emailAdapter.classifyFailure(status, body);
    expect(result.status).toBe(expected);
    expect(result.error).toContain(body.replace(/^\d{3} /, ''));
  });
});
