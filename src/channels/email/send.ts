import type { OutboundMessage, SendContext, SendResult } from '../contract.js';
import { messageId, messageIds } from './message-ids.js';

/** What `send` needs of the channel's config. */
export interface OutboundSmtp {
  address: string;
  fromName: string | undefined;
  smtpHost: string;
  smtpPort: number;
  smtpSecure: boolean;
  smtpUser: string | undefined;
  smtpPassword: string | undefined;
}

type Failure = Exclude<SendResult, { status: 'sent' }>;

const DEFAULT_SUBJECT = 'Re: your message';

/**
 * RFC 5321 §4.2.1: 4yz is transient, 5yz permanent. 503 (bad sequence of commands) is about the
 * session, not the message, so a new connection can succeed. Status 0: no reply at all (refused,
 * timed out, TLS failed), which says nothing about the message either.
 */
export function classifyEmailFailure(status: number, body: string): Failure {
  const reply = body.trim();
  const error = reply.startsWith(String(status)) ? reply : `${status} ${reply}`.trim();
  if (status >= 500 && status < 600 && status !== 503) return { status: 'final', error };
  return { status: 'retryable', error };
}

/** nodemailer's errors carry the server's reply code, or a code of their own when there was none. */
function failureOf(err: unknown): Failure {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  if (typeof e.responseCode === 'number')
    return classifyEmailFailure(e.responseCode, e.response ?? e.message ?? '');
  const error = `${e.code ?? 'ERROR'}: ${e.message ?? String(err)}`;
  // A config we cannot send with (no credentials, bad address) fails the same way on every retry.
  if (e.code === 'ECONFIG' || e.code === 'ENOAUTH' || e.code === 'EENVELOPE')
    return { status: 'final', error };
  return { status: 'retryable', error };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Quick replies and media have no e-mail form: they become lines of the body. */
function bodyOf(msg: OutboundMessage): string {
  const options = (msg.quickReplies ?? []).map((q, i) => `${i + 1}. ${q.title}`);
  const links = (msg.media ?? []).flatMap((m) => {
    const label = m.caption ?? m.filename;
    return m.url ? [label ? `${label}: ${m.url}` : m.url] : [];
  });
  return [msg.text?.trim() ?? '', options.join('\n'), links.join('\n')].filter(Boolean).join('\n\n');
}

function htmlOf(text: string): string {
  const paragraphs = text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
  const linked = paragraphs.replace(/https?:\/\/[^\s<&]+/g, (url) => `<a href="${url}">${url}</a>`);
  return `<!doctype html><html><body>\n${linked}\n</body></html>`;
}

export async function sendEmail(
  msg: OutboundMessage,
  config: OutboundSmtp,
  ctx: SendContext,
): Promise<SendResult> {
  const domain = config.address.slice(config.address.lastIndexOf('@') + 1);
  // Ours, so the customer's reply names it in In-Reply-To and threads back to this conversation.
  const id = `<${msg.id}@${domain}>`;
  const inReplyTo = messageId(msg.threading?.inReplyTo);
  const references = messageIds(msg.threading?.references);
  const text = bodyOf(msg);
  // Loaded on first send, not with the adapter registry that every process and CLI command imports.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: config.smtpHost,
    port: config.smtpPort,
    secure: config.smtpSecure,
    ...(config.smtpUser && { auth: { user: config.smtpUser, pass: config.smtpPassword ?? '' } }),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    // The body is text we compose; nothing in it may make nodemailer read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    await transport.sendMail({
      from: { name: config.fromName ?? '', address: config.address },
      to: msg.to.value,
      subject: msg.threading?.subject ?? DEFAULT_SUBJECT,
      messageId: id,
      date: new Date(ctx.now()),
      ...(inReplyTo && { inReplyTo }),
      ...(references.length && { references }),
      text,
      html: htmlOf(text),
    });
  } catch (err) {
    return failureOf(err);
  } finally {
    transport.close();
  }
  return { status: 'sent', providerMessageId: id, threading: { messageId: id } };
}
