import type { RawRequest, Verdict } from '../contract.js';

/** Envelope headers the SMTP listener adds to the RawRequest it hands the gateway. */
export const ENVELOPE = {
  rcptTo: 'x-smtp-rcpt-to',
  mailFrom: 'x-smtp-mail-from',
  remoteAddress: 'x-smtp-remote-address',
} as const;

/** The header section's fields, unfolded (RFC 5322 §2.2.3), names lower-cased. */
export function headerFields(raw: Buffer): Map<string, string[]> {
  // Headers are ASCII; reading only the first 64 KiB keeps a 25 MB message cheap to check.
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const lines = (end === -1 ? head : head.slice(0, end)).split(/\r?\n/);
  const fields = new Map<string, string[]>();
  let last: { name: string; index: number } | undefined;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last) {
      const values = fields.get(last.name) ?? [];
      values[last.index] = `${values[last.index] ?? ''} ${line.trim()}`;
      continue;
    }
    const m = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:(.*)$/.exec(line);
    if (!m?.[1]) {
      last = undefined;
      continue;
    }
    const name = m[1].toLowerCase();
    const values = fields.get(name) ?? [];
    values.push((m[2] ?? '').trim());
    fields.set(name, values);
    last = { name, index: values.length - 1 };
  }
  return fields;
}

const ADDRESS = /[^\s<>"@,;:()]+@[^\s<>"@,;:()]+/;

/**
 * Mail has no signature we can check yet (DKIM/SPF are not verified): what we check is that the
 * listener delivered it for this channel's address, and that it names a sender we could answer.
 */
export function verifyEmail(req: RawRequest, address: string): Verdict {
  const rcpt = req.headers[ENVELOPE.rcptTo]?.trim().toLowerCase();
  if (!rcpt) return { ok: false, reason: 'no envelope recipient' };
  if (rcpt !== address)
    return { ok: false, reason: `envelope recipient ${rcpt} is not this channel's address` };
  const from = headerFields(req.rawBody).get('from')?.[0];
  if (!from || !ADDRESS.test(from)) return { ok: false, reason: 'the message has no From address' };
  return { ok: true };
}
