import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, rawErrorResponse, scanHead } from './framing.js';
import { readMessage } from './validate.js';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n';

function invite(
  overrides: Record<string, string | null> = {},
  body = SDP,
  line = 'INVITE sip:1000@example.com SIP/2.0',
) {
  const headers: Record<string, string | null> = {
    Via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport',
    From: '"Caller" <sip:caller@127.0.0.1:5070>;tag=abc',
    To: '<sip:1000@example.com>',
    'Call-ID': 'call-1@127.0.0.1',
    CSeq: '1 INVITE',
    Contact: '<sip:caller@127.0.0.1:5070>',
    'Max-Forwards': '70',
    'Content-Type': 'application/sdp',
    'Content-Length': String(body.length),
    ...overrides,
  };
  const lines = Object.entries(headers)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}: ${v}`);
  return `${line}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

describe('readMessage', () => {
  it('passes a well-formed INVITE with its SDP body', () => {
    const r = readMessage(invite(), 'udp');
    expect(r.kind).toBe('request');
    if (r.kind !== 'request') return;
    expect(r.request.method).toBe('INVITE');
    expect(r.request.headers['call-id']).toBe('call-1@127.0.0.1');
    expect(r.request.content).toBe(SDP);
  });

  it('reads compact header names and folded lines', () => {
    const text =
      'OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h:1;branch=z9hG4bKx\r\nf: <sip:x@y>\r\n ;tag=1\r\nt: <sip:a@b>\r\ni: c1\r\nCSeq: 2 OPTIONS\r\nl: 0\r\n\r\n';
    const r = readMessage(text, 'udp');
    expect(r.kind).toBe('request');
    if (r.kind === 'request') expect(r.request.headers.from.params.tag).toBe('1');
  });

  it.each([
    ['Via', 'Missing Via'],
    ['From', 'Missing From'],
    ['To', 'Missing To'],
    ['Call-ID', 'Missing Call-ID'],
    ['CSeq', 'Missing CSeq'],
  ])('answers 400 when %s is missing', (header, reason) => {
    const r = readMessage(invite({ [header]: null }), 'udp');
    expect(r).toMatchObject({ kind: 'reject', status: 400, reason });
  });

  it.each([
    [{ 'Content-Length': 'abc' }, 'Bad Content-Length'],
    [{ 'Content-Length': '9999' }, 'Content-Length Exceeds Body'],
    [{ CSeq: '1 BYE' }, 'CSeq Method Mismatch'],
    [{ CSeq: 'x INVITE' }, 'Bad CSeq'],
    [{ CSeq: '99999999999 INVITE' }, 'Bad CSeq'],
    [{ Via: 'SIP/2.0/UDP 127.0.0.1:5070' }, 'Missing Via Branch'],
    [{ Via: 'garbage' }, 'Bad Via'],
    [{ From: '<sip:caller@h>' }, 'Missing From Tag'],
    [{ Contact: null }, 'Bad Contact'],
    [{ 'Max-Forwards': '-1' }, 'Bad Max-Forwards'],
    [{ 'Call-ID': 'a b' }, 'Bad Call-ID'],
  ])('answers 400 to %o', (overrides, reason) => {
    expect(readMessage(invite(overrides), 'udp')).toMatchObject({ kind: 'reject', status: 400, reason });
  });

  it.each([
    [{ CSeq: 'fz229 INVITE' }, 'Bad CSeq'],
    [{ Via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx\xc10;rport' }, 'Bad Via'],
    [{ Via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1 junk' }, 'Bad Via'],
    [{ From: '<sip:caller@h>;tag=1 <sip:other@h>' }, 'Bad From'],
    [{ To: 'sip:a@b c' }, 'Bad To'],
    [{ Contact: '<sip:a@b>>' }, 'Bad Contact'],
  ])('answers 400 to trailing garbage the package parser would skip: %o', (overrides, reason) => {
    expect(readMessage(invite(overrides), 'udp')).toMatchObject({ kind: 'reject', status: 400, reason });
  });

  it('accepts the header forms phones really send', () => {
    const r = readMessage(
      invite({
        Via: 'SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK776;received=192.0.2.1;rport=5060, SIP/2.0/TCP proxy.example.com;branch=z9hG4bK1',
        From: '"Zhang San \\\\ \\"ZS\\"" <sip:+8613800138000@example.com;user=phone>;tag=a6c85cf',
        To: 'Bob <sip:bob@example.com>',
        Contact: '<sip:caller@10.0.0.1:5060;transport=udp>;expires=60;+sip.instance="<urn:uuid:1>"',
      }),
      'udp',
    );
    expect(r.kind).toBe('request');
  });

  it('checks a 2 KB header line in well under a millisecond (no backtracking blow-up)', () => {
    const evil = `${'a '.repeat(1000)}`;
    const started = performance.now();
    for (let i = 0; i < 20; i++) readMessage(invite({ From: evil, To: `<${'x'.repeat(2000)}` }), 'udp');
    expect((performance.now() - started) / 20).toBeLessThan(5);
  });

  it('answers 400 to a second Call-ID', () => {
    const text = invite().replace('CSeq:', 'Call-ID: other\r\nCSeq:');
    expect(readMessage(text, 'udp')).toMatchObject({ status: 400, reason: 'Duplicate Call-ID' });
  });

  it('answers 505 to another SIP version and 416 to another URI scheme', () => {
    expect(readMessage(invite({}, SDP, 'INVITE sip:a@b SIP/3.0'), 'udp')).toMatchObject({ status: 505 });
    expect(readMessage(invite({}, SDP, 'INVITE http://a/ SIP/2.0'), 'udp')).toMatchObject({ status: 416 });
  });

  it('over TCP, a request without Content-Length is 400 (the stream cannot be framed)', () => {
    expect(readMessage(invite({ 'Content-Length': null }, ''), 'tcp')).toMatchObject({
      status: 400,
      reason: 'Missing Content-Length',
    });
    expect(readMessage(invite({ 'Content-Length': null }), 'udp').kind).toBe('request');
  });

  it('answers 513 to a message over the size limit', () => {
    const r = readMessage(invite({ Subject: 'x'.repeat(MAX_MESSAGE_BYTES) }), 'udp');
    expect(r).toMatchObject({ status: 513 });
  });

  it('answers 400 to an overlong header line (keeps the package parser linear)', () => {
    const contacts = Array.from({ length: 400 }, (_, i) => `<sip:c${i}@h>`).join(', ');
    expect(readMessage(invite({ Contact: contacts }), 'udp')).toMatchObject({ status: 400 });
  });

  it('drops bytes that are not SIP, and CRLF keep-alives', () => {
    expect(readMessage('\x00\x01\x02garbage', 'udp').kind).toBe('drop');
    expect(readMessage('\r\n\r\n', 'tcp').kind).toBe('keepalive');
  });

  it('drops malformed responses (nothing to answer them with)', () => {
    expect(readMessage('SIP/2.0 200 OK\r\nVia: x\r\n\r\n', 'udp').kind).toBe('drop');
  });

  it('never throws and never passes a request without its mandatory headers, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), fc.uint8Array({ maxLength: 300 }), (text, bytes) => {
        for (const input of [text, Buffer.from(bytes).toString('latin1'), invite().slice(0, text.length)]) {
          const r = readMessage(input, 'udp');
          if (r.kind === 'request') {
            const h = r.request.headers;
            expect(
              h.via[0]?.params.branch && h.from.params.tag && h['call-id'] && h.cseq.method,
            ).toBeTruthy();
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('an error response copies Via, From, To (with a tag), Call-ID and CSeq from the raw request', () => {
    const r = readMessage(invite({ CSeq: '1 BYE' }), 'udp');
    if (r.kind !== 'reject') throw new Error(r.kind);
    const text = rawErrorResponse(r.head, r.status, r.reason);
    expect(text).toMatch(/^SIP\/2\.0 400 CSeq Method Mismatch\r\n/);
    expect(text).toContain('Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport\r\n');
    expect(text).toContain('To: <sip:1000@example.com>;tag=');
    expect(text).toContain('Call-ID: call-1@127.0.0.1\r\n');
    expect(text.endsWith('Content-Length: 0\r\n\r\n')).toBe(true);
  });

  it('leaves header values with control characters out of an error response', () => {
    const head = scanHead('INVITE sip:a@b SIP/2.0\r\nCall-ID: a\x00b\r\nCSeq: 1 INVITE');
    expect(rawErrorResponse(head, 400, 'Bad Request')).not.toContain('Call-ID');
  });
});
