import fc from 'fast-check';
import sip from 'sip';
import { describe, expect, it } from 'vitest';
import { quoteDisplayName, targetFlow } from './outgoing.js';

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const user = fc.stringMatching(/^[A-Za-z0-9+*#._-]{1,12}$/);

describe('targetFlow: where a call we place goes, without DNS', () => {
  it('reads any IPv4 literal, port and transport (UDP by default, 5060 by default)', () => {
    fc.assert(
      fc.property(
        user,
        ipv4,
        fc.option(fc.integer({ min: 1, max: 65535 })),
        fc.constantFrom(undefined, 'udp', 'tcp', 'TCP', 'UDP'),
        (u, ip, port, transport) => {
          const uri = `sip:${u}@${ip}${port === null ? '' : `:${port}`}${transport ? `;transport=${transport}` : ''}`;
          expect(targetFlow(uri)).toEqual({
            transport: transport?.toLowerCase() ?? 'udp',
            address: ip,
            port: port ?? 5060,
          });
        },
      ),
    );
  });

  it.each([
    ['sip:1001@localhost:5070', { transport: 'udp', address: '127.0.0.1', port: 5070 }],
    ['sip:agent@[::1]:5080;transport=tcp', { transport: 'tcp', address: '::1', port: 5080 }],
    ['sip:10.0.0.5', { transport: 'udp', address: '10.0.0.5', port: 5060 }],
    [
      'SIP:1001@127.0.0.1:5070;user=phone;transport=tcp',
      { transport: 'tcp', address: '127.0.0.1', port: 5070 },
    ],
  ])('%s → %o', (uri, flow) => {
    expect(targetFlow(uri)).toEqual(flow);
  });

  it.each([
    'sip:1001@pbx.example.com',
    'sips:1001@127.0.0.1',
    'sip:1001@127.0.0.1;transport=tls',
    'sip:1001@127.0.0.1:0',
    'sip:1001@127.0.0.1:70000',
    'sip:1001@256.1.1.1',
    'tel:+4930123456',
    'mailto:someone@127.0.0.1',
    '',
  ])('refuses %j (a host name needs DNS; TLS, tel: and bad ports are not ours)', (uri) => {
    expect(targetFlow(uri)).toBeUndefined();
  });
});

describe('quoteDisplayName', () => {
  it('any caller name becomes one quoted string the SIP parser reads back as it was written', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (name) => {
        const quoted = quoteDisplayName(name);
        expect(quoted).toMatch(/^"(?:[^"\\]|\\["\\])*"$/);
        expect([...quoted].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)).toBe(false);
        const parsed = sip.parse(
          `INVITE sip:a@127.0.0.1 SIP/2.0\r\nFrom: ${quoted} <sip:b@127.0.0.1>;tag=1\r\n\r\n`,
        );
        const from = parsed?.headers.from as { name?: string; uri: string; params: { tag?: string } };
        expect(from.name).toBe(quoted);
        expect(from.uri).toBe('sip:b@127.0.0.1');
        expect(from.params.tag).toBe('1');
        expect(
          Buffer.from(quoted, 'latin1')
            .toString('utf8')
            .slice(1, -1)
            .replace(/\\(["\\])/g, '$1'),
        ).toBe(
          Array.from(name, (c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c)).join(''),
        );
      }),
    );
  });

  it('a Chinese name goes out as its UTF-8 bytes', () => {
    expect(Buffer.from(quoteDisplayName('张三 "客服"'), 'latin1').toString('utf8')).toBe('"张三 \\"客服\\""');
  });
});
