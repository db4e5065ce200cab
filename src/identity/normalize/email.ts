// E-mail addresses compared as providers deliver them: case-insensitively, and for Gmail
// without dots and +tags when the caller asks.

export interface EmailOptions {
  /** Gmail rules for gmail.com and googlemail.com: dots and +tags are ignored, googlemail.com is gmail.com. */
  gmailDots?: boolean;
  /** Drop a +tag (zhang+shop@ → zhang@) for every domain; most providers deliver such mail to the same box. */
  plusTags?: boolean;
}

// RFC 5321 limits: 64 octets of local part, 254 for the whole path.
const MAX_LOCAL = 64;
const MAX_ADDRESS = 254;

// Dot-atoms of RFC 5322 with Unicode letters allowed (RFC 6531: 张伟@例子.中国). Quoted local
// parts ("john doe"@x) and IP-literal domains are refused: customers do not write them.
const LOCAL = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const GMAIL_DOMAINS: ReadonlySet<string> = new Set(['gmail.com', 'googlemail.com']);

/**
 * Trimmed and lower-cased address, or null when it is not one. Also accepts "Name <address>"
 * and mailto: forms. Provider rules apply only when asked: with `gmailDots`
 * Zhang.Wei+shop@Gmail.com → zhangwei@gmail.com; with `plusTags` a+tag@x.com → a@x.com.
 */
export function normalizeEmail(raw: string, options: EmailOptions = {}): string | null {
  if (typeof raw !== 'string' || raw.length > 1000) return null;
  let s = raw.replace(/\p{C}/gu, '').normalize('NFKC').trim();
  const bracketed = /<([^<>]*)>$/.exec(s);
  if (bracketed) s = (bracketed[1] ?? '').trim();
  s = s.replace(/^mailto:/i, '').toLowerCase();
  const at = s.lastIndexOf('@');
  let local = s.slice(0, at);
  let domain = s.slice(at + 1);
  if (at < 1 || !isLocalPart(local) || !isDomain(domain)) return null;
  if (options.gmailDots && GMAIL_DOMAINS.has(domain)) {
    domain = 'gmail.com';
    local = withoutTag(local).replaceAll('.', '');
  }
  if (options.plusTags) local = withoutTag(local);
  // Dropping a tag can leave a dot at the end (a.+b → a.), which no server accepts.
  return isLocalPart(local) && local.length + domain.length < MAX_ADDRESS ? `${local}@${domain}` : null;
}

/** The part before the last @ (all of it when there is none). */
export function emailLocalPart(email: string): string {
  if (typeof email !== 'string') return '';
  const at = email.lastIndexOf('@');
  return at < 0 ? email : email.slice(0, at);
}

function withoutTag(local: string): string {
  const plus = local.indexOf('+');
  // "+tag" alone is the whole mailbox name, not a tag.
  return plus > 0 ? local.slice(0, plus) : local;
}

function isLocalPart(local: string): boolean {
  return local.length > 0 && local.length <= MAX_LOCAL && LOCAL.test(local);
}

function isDomain(domain: string): boolean {
  if (domain.length > 253) return false;
  const labels = domain.split('.');
  const tld = labels[labels.length - 1] ?? '';
  // A top-level domain always has a letter; all digits means an IP address.
  return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && /\p{L}/u.test(tld);
}
