// The strict gate in front of the stack: every message from the network comes through `readMessage`,
// which never throws. A well-formed request or response comes out parsed (by the `sip` package); a
// malformed request comes out as the error response it earns; anything else is dropped with a reason.
import sip from 'sip';
import {
  MAX_HEADER_LINE,
  MAX_MESSAGE_BYTES,
  type RawHead,
  REQUEST_LINE,
  rawHeader,
  rawHeaders,
  STATUS_LINE,
  scanHead,
  splitMessage,
  stripLeadingBlankLines,
} from './framing.js';
import type { SipRequest, SipResponse, SipTransport } from './message.js';
import { parseVias, validAddress, validContact, validCSeq, validVia } from './syntax.js';

export type Inbound =
  | { kind: 'request'; request: SipRequest; head: RawHead }
  | { kind: 'response'; response: SipResponse }
  /** A request we answer statelessly with this status, built from its raw lines. */
  | { kind: 'reject'; status: number; reason: string; head: RawHead; method: string | undefined }
  | { kind: 'drop'; reason: string }
  | { kind: 'keepalive' };

const SCHEMES = /^(sips?|tel):/i;
const LOOKS_LIKE_REQUEST = /^[!-~]{1,32} \S+ SIP\//;
const CALL_ID = /^[!-~]{1,256}$/;
const DIGITS = /^\d{1,10}$/;
const MANDATORY = ['via', 'from', 'to', 'call-id', 'cseq'] as const;
const SINGLE = ['from', 'to', 'call-id', 'cseq', 'content-length', 'max-forwards', 'content-type'] as const;

const reject = (head: RawHead, status: number, reason: string, method?: string): Inbound => ({
  kind: 'reject',
  status,
  reason,
  head,
  method,
});

/** One message's text (latin1: one char per byte), from a datagram or framed off a stream. */
export function readMessage(input: string, transport: SipTransport): Inbound {
  try {
    return read(input, transport);
  } catch (err) {
    // The package's parser catches its own header errors; this is the net under everything else.
    return { kind: 'drop', reason: `parser failure: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function read(input: string, transport: SipTransport): Inbound {
  const text = stripLeadingBlankLines(input);
  if (text.length === 0) return { kind: 'keepalive' };
  const firstEnd = text.indexOf('\r\n');
  const firstLine = firstEnd < 0 ? text.slice(0, MAX_HEADER_LINE) : text.slice(0, firstEnd);
  const isResponse = firstLine.startsWith('SIP/');
  if (!isResponse && !LOOKS_LIKE_REQUEST.test(firstLine))
    return { kind: 'drop', reason: 'not a SIP message' };
  const method = isResponse ? undefined : firstLine.slice(0, firstLine.indexOf(' '));
  if (text.length > MAX_MESSAGE_BYTES) {
    if (isResponse) return { kind: 'drop', reason: 'response too large' };
    const cut = splitMessage(text.slice(0, MAX_MESSAGE_BYTES));
    return reject(scanHead(cut?.head ?? firstLine), 513, 'Message Too Large', method);
  }
  const split = splitMessage(text);
  if (!split) {
    if (isResponse) return { kind: 'drop', reason: 'response without end of headers' };
    return reject(scanHead(text), 400, 'Missing End Of Headers', method);
  }
  const head = scanHead(split.head);
  if (isResponse) return readResponse(head, split.body);
  return readRequest(head, split.body, transport);
}

function readResponse(head: RawHead, body: string): Inbound {
  if (head.problem || !STATUS_LINE.test(head.firstLine))
    return { kind: 'drop', reason: 'malformed response' };
  const parsed = sip.parse(`${head.firstLine}\r\n${joinHeaders(head)}\r\n\r\n${body}`) as
    | SipResponse
    | undefined;
  if (!parsed || !(parsed.status >= 100 && parsed.status <= 699))
    return { kind: 'drop', reason: 'bad status' };
  const h = parsed.headers;
  if (
    !Array.isArray(h?.via) ||
    !h.via[0]?.params ||
    typeof h['call-id'] !== 'string' ||
    !h.cseq ||
    !h.from ||
    !h.to
  )
    return { kind: 'drop', reason: 'response lacks mandatory headers' };
  return { kind: 'response', response: parsed };
}

function readRequest(head: RawHead, rawBody: string, transport: SipTransport): Inbound {
  const line = REQUEST_LINE.exec(head.firstLine);
  const method = line?.[1] ?? head.firstLine.slice(0, head.firstLine.indexOf(' '));
  if (!line) return reject(head, 400, 'Bad Request-Line', method);
  if (line[3] !== '2.0') return reject(head, 505, 'Version Not Supported', method);
  if (head.problem) return reject(head, 400, `Bad Request (${head.problem})`, method);
  for (const name of MANDATORY) {
    if (rawHeader(head, name) === undefined) return reject(head, 400, `Missing ${displayName(name)}`, method);
  }
  for (const name of SINGLE) {
    if (rawHeaders(head, name).length > 1) return reject(head, 400, `Duplicate ${displayName(name)}`, method);
  }
  const uri = line[2]!;
  if (!SCHEMES.test(uri)) return reject(head, 416, 'Unsupported URI Scheme', method);
  const syntax = checkSyntax(head);
  if (syntax) return reject(head, 400, syntax, method);

  // RFC 3261 §18.3: over UDP a body shorter than Content-Length is an error, a longer one is cut.
  const lengthText = rawHeader(head, 'content-length');
  let body = rawBody;
  if (lengthText !== undefined) {
    if (!DIGITS.test(lengthText)) return reject(head, 400, 'Bad Content-Length', method);
    const length = Number(lengthText);
    if (length > body.length) return reject(head, 400, 'Content-Length Exceeds Body', method);
    body = body.slice(0, length);
  } else if (transport === 'tcp') {
    // RFC 3261 §18.3: stream transports need it to find where the next message starts.
    return reject(head, 400, 'Missing Content-Length', method);
  }
  const maxForwards = rawHeader(head, 'max-forwards');
  if (maxForwards !== undefined && !(/^\d{1,3}$/.test(maxForwards) && Number(maxForwards) <= 255))
    return reject(head, 400, 'Bad Max-Forwards', method);

  const parsed = sip.parse(`${head.firstLine}\r\n${joinHeaders(head)}\r\n\r\n${body}`) as
    | SipRequest
    | undefined;
  if (!parsed?.headers) return reject(head, 400, 'Bad Request', method);
  parsed.content = body;
  parsed.headers.via = parseVias(rawHeaders(head, 'via'));
  const problem = checkParsed(parsed);
  if (problem) return reject(head, 400, problem, method);
  return { kind: 'request', request: parsed, head };
}

/** What the package's parser dropped (it swallows a header it cannot read) or read as nonsense. */
function checkParsed(r: SipRequest): string | undefined {
  const h = r.headers;
  const via = Array.isArray(h.via) ? h.via[0] : undefined;
  if (!via?.host || !via.protocol || !via.params) return 'Bad Via';
  if (!via.params.branch) return 'Missing Via Branch';
  if (!h.from?.uri) return 'Bad From';
  if (!h.from.params?.tag) return 'Missing From Tag';
  if (!h.to?.uri) return 'Bad To';
  if (typeof h['call-id'] !== 'string' || !CALL_ID.test(h['call-id'])) return 'Bad Call-ID';
  const cseq = h.cseq;
  if (!cseq || !Number.isInteger(cseq.seq) || cseq.seq < 0 || cseq.seq >= 2 ** 31) return 'Bad CSeq';
  if (cseq.method !== r.method) return 'CSeq Method Mismatch';
  if (r.method === 'INVITE') {
    const contact = h.contact;
    if (!Array.isArray(contact) || contact.length !== 1 || !contact[0]?.uri) return 'Bad Contact';
  }
  return undefined;
}

/** The raw grammar of the headers the stack relies on (the package's parsers forgive too much). */
function checkSyntax(head: RawHead): string | undefined {
  for (const [name, value] of head.headers) {
    if (name === 'via' && !validVia(value)) return 'Bad Via';
    if ((name === 'from' || name === 'to') && !validAddress(value)) return `Bad ${displayName(name)}`;
    if (name === 'contact' && !validContact(value)) return 'Bad Contact';
    if (name === 'cseq' && !validCSeq(value)) return 'Bad CSeq';
  }
  return undefined;
}

function joinHeaders(head: RawHead): string {
  return head.headers.map(([n, v]) => `${n}: ${v}`).join('\r\n');
}

function displayName(name: string): string {
  if (name === 'call-id') return 'Call-ID';
  if (name === 'cseq') return 'CSeq';
  return name.replace(/\b[a-z]/g, (c) => c.toUpperCase());
}
