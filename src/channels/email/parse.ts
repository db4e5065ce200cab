import { createHash } from 'node:crypto';
import type { Attachment, ParsedMail } from 'mailparser';
import { InvalidInput } from '../../core/index.js';
import type { InboundMessage, Media, ParseResult, RawRequest, Receipt, Threading } from '../contract.js';
import { messageId, messageIds } from './message-ids.js';
import { stripQuotedReply } from './quotes.js';

/** Loaded on first use: mailparser is a large import every CLI command would otherwise pay for. */
async function parseMime(raw: Buffer): Promise<ParsedMail> {
  const { simpleParser } = await import('mailparser');
  return simpleParser(raw, { skipImageLinks: true });
}

/** A long thread's References grows with every reply; the newest ids are the ones that match. */
const MAX_REFERENCES = 20;

function headerText(mail: ParsedMail, name: string): string | undefined {
  const v = mail.headers.get(name);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && 'value' in v && typeof v.value === 'string') return v.value;
  return String(v);
}

/**
 * RFC 3834: any Auto-Submitted other than "no" is machine-sent; Precedence and X-Autoreply are
 * what older responders (vacation, Exchange) set instead. Answering them would start a mail loop.
 */
function automatic(mail: ParsedMail): string | undefined {
  const submitted = headerText(mail, 'auto-submitted')?.trim().toLowerCase();
  if (submitted && submitted !== 'no') return `auto-submitted: ${submitted}`;
  const precedence = headerText(mail, 'precedence')?.trim().toLowerCase();
  if (precedence && ['bulk', 'junk', 'auto_reply'].includes(precedence)) return `precedence: ${precedence}`;
  if (mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond')) return 'x-autoreply';
  return undefined;
}

function isDeliveryReport(mail: ParsedMail): boolean {
  const ct = mail.headers.get('content-type');
  if (!ct || typeof ct !== 'object' || !('value' in ct) || !('params' in ct)) return false;
  const params = ct.params as Record<string, string>;
  return ct.value === 'multipart/report' && params['report-type']?.toLowerCase() === 'delivery-status';
}

/**
 * RFC 3464: the per-recipient fields sit in the message/delivery-status part (mailparser hands it
 * over as text); the message that bounced comes back whole or as its headers, with its Message-ID.
 */
async function deliveryReceipts(mail: ParsedMail, occurredAt: string | undefined): Promise<Receipt[]> {
  const original = mail.attachments.find((a) =>
    ['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers'].includes(
      a.contentType.toLowerCase(),
    ),
  );
  if (!original) return [];
  const bounced = messageId((await parseMime(original.content)).messageId);
  if (!bounced) return [];
  const report = typeof mail.text === 'string' ? mail.text : '';
  const action = /^Action:\s*([a-z]+)/im.exec(report)?.[1]?.toLowerCase();
  const diagnostic = /^Diagnostic-Code:\s*(.+)$/im.exec(report)?.[1]?.trim();
  const status = /^Status:\s*([245]\.\d{1,3}\.\d{1,3})/im.exec(report)?.[1];
  const at = occurredAt ? { occurredAt } : {};
  if (action === 'failed') {
    return [
      { providerMessageId: bounced, status: 'failed', error: diagnostic ?? status ?? 'bounced', ...at },
    ];
  }
  if (action === 'delivered') return [{ providerMessageId: bounced, status: 'delivered', ...at }];
  // "delayed", "relayed", "expanded": the message is still on its way, nothing to record.
  return [];
}

function toMedia(a: Attachment): Media {
  return {
    kind: a.contentType.toLowerCase().startsWith('image/') ? 'image' : 'file',
    // The bytes are not stored yet; their hash names them for when they are.
    providerMediaId: `sha256:${createHash('sha256').update(a.content).digest('hex')}`,
    mimeType: a.contentType,
    ...(a.filename && { filename: a.filename }),
    sizeBytes: a.size,
  };
}

function bodyText(mail: ParsedMail): string {
  return typeof mail.text === 'string' ? mail.text : '';
}

export async function parseEmail(req: RawRequest, address: string): Promise<ParseResult> {
  let mail: ParsedMail;
  try {
    mail = await parseMime(req.rawBody);
  } catch (err) {
    throw new InvalidInput(`not an RFC 5322 message: ${(err as Error).message}`);
  }
  const sender = mail.from?.value.find((a) => a.address);
  if (!sender?.address) throw new InvalidInput('the message has no From address', 'from');
  const fromAddress = sender.address.trim().toLowerCase();
  const ownId = messageId(mail.messageId);
  const providerMessageId = ownId
    ? `email:${ownId}`
    : `email:sha256:${createHash('sha256').update(req.rawBody).digest('hex')}`;
  const occurredAt = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : undefined;
  const from: InboundMessage['from'] = {
    identities: [{ kind: 'email', value: fromAddress }],
    ...(sender.name && { displayName: sender.name }),
  };
  const base = { providerMessageId, from, ...(occurredAt && { occurredAt }) };

  if (isDeliveryReport(mail)) return { messages: [], receipts: await deliveryReceipts(mail, occurredAt) };
  const auto = automatic(mail);
  if (auto || fromAddress === address) {
    // Stored nowhere: an auto-reply or our own mail coming back must not become a message to answer.
    const event = fromAddress === address ? 'own_message' : 'auto_reply';
    const detail = { reason: auto ?? 'sent from this channel', subject: mail.subject ?? '' };
    return { messages: [{ ...base, kind: 'event', event, detail }], receipts: [] };
  }

  const inReplyTo = messageId(mail.inReplyTo);
  const references = messageIds(mail.references).slice(-MAX_REFERENCES);
  const threading: Threading = {
    ...(ownId && { messageId: ownId }),
    ...(inReplyTo && { inReplyTo }),
    ...(references.length && { references }),
    ...(mail.subject && { subject: mail.subject }),
  };
  const full = bodyText(mail).trim();
  const text = stripQuotedReply(full) || full || mail.subject || '';
  // Inline images count too: a screenshot pasted into the body is as much the message as a file.
  const message: InboundMessage = mail.attachments.length
    ? { ...base, kind: 'media', media: mail.attachments.map(toMedia), ...(text && { text }), threading }
    : { ...base, kind: 'text', text, threading };
  return { messages: [message], receipts: [] };
}
