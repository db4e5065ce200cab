import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRtp, parseRtp } from './rtp.js';

const header = fc.record({
  payloadType: fc.integer({ min: 0, max: 127 }).filter((pt) => pt < 64 || pt > 95),
  marker: fc.boolean(),
  sequence: fc.integer({ min: 0, max: 0xffff }),
  timestamp: fc.integer({ min: 0, max: 0xffffffff }),
  ssrc: fc.integer({ min: 0, max: 0xffffffff }),
});

describe('RTP packets', () => {
  it('never throw on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const p = parseRtp(bytes);
        if (p) expect(p.payload.length).toBeLessThanOrEqual(bytes.length - 12);
      }),
      { numRuns: 20_000 },
    );
  });

  it('read back what was written', () => {
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 320 }), (h, payload) => {
        const p = parseRtp(encodeRtp(h, payload));
        expect(p).toBeDefined();
        expect({ ...p, payload: [...p!.payload] }).toEqual({ ...h, payload: [...payload] });
      }),
    );
  });

  it('skip CSRCs, the header extension and padding', () => {
    const packet = Buffer.concat([
      Buffer.from([0xb1, 0x00, 0x00, 0x01, 0, 0, 0, 160, 0, 0, 0, 7]), // V=2, P, X, CC=1; PT 0
      Buffer.from([1, 2, 3, 4]), // one CSRC
      Buffer.from([0xbe, 0xde, 0x00, 0x01, 9, 9, 9, 9]), // extension of one word
      Buffer.from([0xaa, 0xbb]), // payload
      Buffer.from([0, 0, 3]), // padding: 3 bytes, the last one says how many
    ]);
    const p = parseRtp(packet);
    expect(p && [...p.payload]).toEqual([0xaa, 0xbb]);
  });

  it('refuse other versions, RTCP and inconsistent lengths', () => {
    expect(parseRtp(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeUndefined();
    expect(parseRtp(Buffer.from([0x80, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeUndefined();
    expect(parseRtp(Buffer.from([0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeUndefined();
    expect(parseRtp(Buffer.from([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff]))).toBeUndefined();
  });
});
