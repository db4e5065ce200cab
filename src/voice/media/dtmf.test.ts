import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DTMF_DUPLICATE_MS,
  DTMF_STALE_MS,
  DtmfReceiver,
  encodeTelephoneEvent,
  parseTelephoneEvent,
} from './dtmf.js';

/** The packets a phone sends for one key press (RFC 4733 §2.5): updates every 50 ms, then 3 ends. */
function keyPress(event: number, durationMs: number): Uint8Array[] {
  const packets: Uint8Array[] = [];
  for (let t = 50; t < durationMs; t += 50)
    packets.push(encodeTelephoneEvent({ event, end: false, volume: 10, duration: t * 8 }));
  for (let i = 0; i < 3; i++)
    packets.push(encodeTelephoneEvent({ event, end: true, volume: 10, duration: durationMs * 8 }));
  return packets;
}

describe('RFC 4733 telephone-events', () => {
  it('payloads never throw on random bytes and round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (bytes) => void parseTelephoneEvent(bytes)),
      {
        numRuns: 10_000,
      },
    );
    fc.assert(
      fc.property(
        fc.record({
          event: fc.integer({ min: 0, max: 16 }),
          end: fc.boolean(),
          volume: fc.integer({ min: 0, max: 63 }),
          duration: fc.integer({ min: 0, max: 0xffff }),
        }),
        (e) => {
          expect(parseTelephoneEvent(encodeTelephoneEvent(e))).toEqual(e);
        },
      ),
    );
  });

  it('a key press is reported once, though its end packet comes three times', () => {
    const rx = new DtmfReceiver();
    const out = keyPress(1, 160).flatMap((p) => rx.push(7, 8000, p, 0));
    expect(out).toEqual([{ digit: '1', durationMs: 160, timestamp: 8000 }]);
  });

  it('the same stream replayed seconds later is a new key press; a late duplicate is not', () => {
    const rx = new DtmfReceiver();
    expect(keyPress(1, 160).flatMap((p) => rx.push(7, 8000, p, 0))).toHaveLength(1);
    expect(keyPress(1, 160).flatMap((p) => rx.push(7, 8000, p, DTMF_DUPLICATE_MS - 1))).toEqual([]);
    expect(keyPress(1, 160).flatMap((p) => rx.push(7, 8000, p, DTMF_DUPLICATE_MS + 3000))).toEqual([
      { digit: '1', durationMs: 160, timestamp: 8000 },
    ]);
  });

  it('a key press whose end packets were all lost is reported after it goes quiet', () => {
    const rx = new DtmfReceiver();
    expect(
      rx.push(7, 100, encodeTelephoneEvent({ event: 11, end: false, volume: 10, duration: 400 }), 0),
    ).toEqual([]);
    expect(rx.flush(DTMF_STALE_MS - 1)).toBeUndefined();
    expect(rx.flush(DTMF_STALE_MS)).toMatchObject({ digit: '#' });
    expect(rx.flush(DTMF_STALE_MS * 3)).toBeUndefined();
  });

  it('any sequence of key presses comes out as the same digits, each once, with duplicates and losses of non-final packets', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ event: fc.integer({ min: 0, max: 15 }), ms: fc.integer({ min: 40, max: 400 }) }),
          {
            maxLength: 12,
          },
        ),
        fc.infiniteStream(fc.integer({ min: 0, max: 9 })),
        (presses, noise) => {
          const rx = new DtmfReceiver();
          const out: string[] = [];
          let ts = 1000;
          let now = 0;
          for (const { event, ms } of presses) {
            const packets = keyPress(event, ms);
            for (let i = 0; i < packets.length; i++) {
              const n = noise.next().value;
              const isEnd = i >= packets.length - 3;
              // Non-final packets may be lost (n = 0) or duplicated (n = 1); the first end may be lost too.
              if (n === 0 && (!isEnd || i === packets.length - 3)) continue;
              const times = n === 1 ? 2 : 1;
              for (let k = 0; k < times; k++)
                out.push(...rx.push(42, ts, packets[i]!, now).map((e) => e.digit));
              now += 20;
            }
            ts += (ms + 100) * 8;
            now += 100;
          }
          const last = rx.flush(now + DTMF_STALE_MS);
          if (last) out.push(last.digit);
          expect(out.join('')).toBe(presses.map((p) => '0123456789*#ABCD'[p.event]).join(''));
        },
      ),
      { numRuns: 500 },
    );
  });
});
