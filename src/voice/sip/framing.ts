// The first look at bytes from the network, before the `sip` package's parser sees them: limits that
// keep its regular expressions linear, and a lenient scan of the header lines so that even a message
// the parser refuses can be answered (a 400 needs the request's Via, From, To, Call-ID and CSeq).

/** Largest message we read (RFC 3261 §18.1.1 sends anything near the MTU over TCP; this is generous). */
export const MAX_MESSAGE_BYTES = 16 * 1024;
/**
 * Longest header line. The package parses comma lists (Via, Contact, Route) with a search that
 * restarts at each element, quadratic in the line: a 20 KB Contact takes ~80 ms, 2 KB well under 1 ms.
 */
export const MAX_HEADER_LINE = 2048;
export const MAX_HEADER_LINES = 96;

const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
};

export const REQUEST_LINE = /^([A-Za-z0-9.!%*_+`'~-]+) (\S+) SIP\/(\d+\.\d+)$/;
export const STATUS_LINE = /^SIP\/(\d+\.\d+) (\d{3}) ?(.*)$/;
const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;

/** The header section of a message, read leniently, one entry per line as written. */
export interface RawHead {
  firstLine: string;
  /** [lower-case long name, value] in order; folded lines joined. */
  headers: [string, string][];
  /** Why the header lines are not well formed, if they are not. */
  problem?: string;
}

export interface RawSplit {
  head: string;
  body: string;
}

/** Leading CRLFs are keep-alives (RFC 5626 §3.5.1); a message is what follows them. */
export function stripLeadingBlankLines(text: string): string {
  let i = 0;
  while (i < text.length && (text[i] === '\r' || text[i] === '\n')) i++;
  return i === 0 ? text : text.slice(i);
}

/** Head and body, split at the first empty line; undefined when there is none. */
export function splitMessage(text: string): RawSplit | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  return { head: text.slice(0, end), body: text.slice(end + 4) };
}

export function longHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

/** Reads the header lines without trusting them; never throws. */
export function scanHead(head: string): RawHead {
  const lines = head.split('\r\n');
  const firstLine = lines[0] ?? '';
  const headers: [string, string][] = [];
  let problem: string | undefined;
  if (firstLine.length > MAX_HEADER_LINE) problem = 'first line too long';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
      // RFC 3261 §7.3.1: a line starting with white space continues the previous header.
      const last = headers[headers.length - 1]!;
      last[1] = `${last[1]} ${line.trim()}`;
      if (last[1].length > MAX_HEADER_LINE) problem ??= `header ${last[0]} too long`;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trimEnd() : '';
    if (!name || !TOKEN.test(name)) {
      problem ??= 'malformed header line';
      continue;
    }
    if (line.length > MAX_HEADER_LINE) problem ??= `header ${name} too long`;
    headers.push([longHeaderName(name), line.slice(colon + 1).trim()]);
  }
  if (headers.length > MAX_HEADER_LINES) problem ??= 'too many header lines';
  return { firstLine, headers, ...(problem ? { problem } : {}) };
}

export function rawHeader(head: RawHead, name: string): string | undefined {
  for (const [n, v] of head.headers) if (n === name) return v;
  return undefined;
}

export function rawHeaders(head: RawHead, name: string): string[] {
  return head.headers.filter(([n]) => n === name).map(([, v]) => v);
}

/** Bytes allowed in a header value we copy into a response: no CR/LF, no control characters. */
function isSafe(value: string): boolean {
  if (value.length > MAX_HEADER_LINE) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

/**
 * A response to a request we could not (or would not) parse, built from its raw lines: RFC 3261
 * §8.2.6.2 copies Via, From, To, Call-ID and CSeq; a To without a tag gets ours. Headers the request
 * lacks are left out: the peer still learns why.
 */
export function rawErrorResponse(
  head: RawHead,
  status: number,
  reason: string,
  extra: Record<string, string> = {},
): string {
  const lines = [`SIP/2.0 ${status} ${reason}`];
  for (const [name, value] of head.headers) {
    if (!isSafe(value)) continue;
    if (name === 'via') lines.push(`Via: ${value}`);
  }
  const from = rawHeader(head, 'from');
  if (from !== undefined && isSafe(from)) lines.push(`From: ${from}`);
  const to = rawHeader(head, 'to');
  if (to !== undefined && isSafe(to)) {
    lines.push(`To: ${/;\s*tag\s*=/i.test(to) ? to : `${to};tag=sb-err`}`);
  }
  for (const name of ['call-id', 'cseq'] as const) {
    const value = rawHeader(head, name);
    if (value !== undefined && isSafe(value)) {
      lines.push(`${name === 'call-id' ? 'Call-ID' : 'CSeq'}: ${value}`);
    }
  }
  for (const [name, value] of Object.entries(extra)) lines.push(`${name}: ${value}`);
  lines.push('Content-Length: 0', '', '');
  return lines.join('\r\n');
}
