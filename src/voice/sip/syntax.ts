// RFC 3261 §25 grammar for the headers a call depends on, checked on the raw text. The `sip` package's
// parsers stop quietly at what they cannot read (a Via `branch=z9hG4bKx\xc10;rport` comes out as
// branch "z9hG4bKx", a CSeq "fz229 INVITE" as 229): without this, garbage would pass as a request.

const TOKEN = "[A-Za-z0-9.!%*_+`'~-]+";
const QUOTED = '"(?:[^"\\\\\\r\\n]|\\\\.)*"';
const VALUE = `(?:[A-Za-z0-9.!%*_+\`'~:\\[\\]-]+|${QUOTED})`;
const PARAM = `\\s*;\\s*${TOKEN}(?:\\s*=\\s*${VALUE})?`;
const HOST = '(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)';
const VIA_ONE = `SIP\\s*/\\s*2\\.0\\s*/\\s*[A-Za-z]+\\s+${HOST}(?:\\s*:\\s*\\d{1,5})?(?:${PARAM})*`;
const NAME_ADDR = `(?:${QUOTED}\\s*|(?:${TOKEN}\\s+)*)?<[^<>\\s]+>`;
const ADDR_SPEC = '[A-Za-z][A-Za-z0-9+.-]*:[^\\s<>";,]+';
const AOR = `(?:${NAME_ADDR}|${ADDR_SPEC})(?:${PARAM})*`;

const VIA = new RegExp(`^${VIA_ONE}(?:\\s*,\\s*${VIA_ONE})*\\s*$`);
const ADDRESS = new RegExp(`^${AOR}\\s*$`);
const CONTACT = new RegExp(`^(?:\\*|${AOR}(?:\\s*,\\s*${AOR})*)\\s*$`);
const CSEQ = new RegExp(`^\\d{1,10}\\s+${TOKEN}$`);

export const validVia = (value: string): boolean => VIA.test(value);
/** From, To, Refer-To: one address with its parameters. */
export const validAddress = (value: string): boolean => ADDRESS.test(value);
export const validContact = (value: string): boolean => CONTACT.test(value);
export const validCSeq = (value: string): boolean => CSEQ.test(value);

const VIA_PARTS = new RegExp(
  `^SIP\\s*/\\s*(2\\.0)\\s*/\\s*([A-Za-z]+)\\s+(${HOST})(?:\\s*:\\s*(\\d{1,5}))?((?:${PARAM})*)\\s*$`,
);
const PARAM_PARTS = new RegExp(`;\\s*(${TOKEN})(?:\\s*=\\s*(${VALUE}))?`, 'g');

export interface ParsedVia {
  version: string;
  protocol: string;
  /** As written: an IPv6 address keeps its brackets, so the Via is written back the same. */
  host: string;
  port?: number;
  params: Record<string, string | null>;
}

/**
 * Via values (each header line may hold several, comma-separated), read by us: the package's parser
 * cannot read an IPv6 host. Only call it on values `validVia` accepted.
 */
export function parseVias(values: string[]): ParsedVia[] {
  const out: ParsedVia[] = [];
  for (const value of values) {
    for (const one of splitOutsideQuotes(value)) {
      const m = VIA_PARTS.exec(one.trim());
      if (!m) continue;
      const params: Record<string, string | null> = {};
      for (const p of m[5]!.matchAll(PARAM_PARTS)) params[p[1]!.toLowerCase()] = p[2] ?? null;
      out.push({
        version: m[1]!,
        protocol: m[2]!.toUpperCase(),
        host: m[3]!,
        ...(m[4] ? { port: Number(m[4]) } : {}),
        params,
      });
    }
  }
  return out;
}

function splitOutsideQuotes(value: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}
