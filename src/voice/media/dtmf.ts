// RFC 4733 telephone-events: the payload, and a receiver that turns a stream of them into digits.

export interface TelephoneEvent {
  /** 0–9, 10 '*', 11 '#', 12–15 'A'–'D', 16 flash. */
  event: number;
  end: boolean;
  /** Power level, 0 to -63 dBm0 (stored as 0–63). */
  volume: number;
  /** In timestamp units (samples at 8 kHz) since the event began. */
  duration: number;
}

export interface DtmfEvent {
  digit: string;
  /** How long the key was held. */
  durationMs: number;
  /** The RTP timestamp the event started at (its identity within the stream). */
  timestamp: number;
}

const DIGITS = '0123456789*#ABCD';
/** An event whose end packets were all lost is reported this long after its last packet. */
export const DTMF_STALE_MS = 400;
/**
 * A packet with a reported event's timestamp is its duplicate (retransmitted end packets, reordering)
 * within this time; later it is a new key press (a device that replays the same stream, or a
 * timestamp that wrapped).
 */
export const DTMF_DUPLICATE_MS = 2000;

export function digitOf(event: number): string | undefined {
  return event < DIGITS.length ? DIGITS[event] : undefined;
}

export function eventOf(digit: string): number | undefined {
  const i = DIGITS.indexOf(digit.toUpperCase());
  return i < 0 || digit.length !== 1 ? undefined : i;
}

export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  const event = payload[0]!;
  if (event > 16) return undefined;
  return {
    event,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

export function encodeTelephoneEvent(e: TelephoneEvent): Uint8Array {
  return Uint8Array.of(
    e.event & 0xff,
    (e.end ? 0x80 : 0) | (e.volume & 0x3f),
    (e.duration >> 8) & 0xff,
    e.duration & 0xff,
  );
}

/**
 * One stream's digits, each reported once. Every packet of an event carries the timestamp the event
 * started at, and the end packet is sent three times (RFC 4733 §2.5.1.4): the timestamp is the key,
 * the first end packet reports the digit and later packets with that timestamp are ignored.
 */
export class DtmfReceiver {
  /** Keys (SSRC and timestamp) of the events reported last and when, so a late duplicate stays ignored. */
  private readonly reported: { key: string; at: number }[] = [];
  private open:
    | { key: string; timestamp: number; event: number; duration: number; seenAt: number }
    | undefined;

  /** The digits this packet completes: usually none or one; two when it shows an earlier end was lost. */
  push(ssrc: number, timestamp: number, payload: Uint8Array, now: number): DtmfEvent[] {
    const e = parseTelephoneEvent(payload);
    if (!e) return [];
    const key = `${ssrc}:${timestamp}`;
    if (this.reported.some((r) => r.key === key && now - r.at < DTMF_DUPLICATE_MS)) return [];
    const out: DtmfEvent[] = [];
    if (this.open && this.open.key !== key) {
      const lost = this.close();
      if (lost) out.push(lost);
    }
    if (!this.open) this.open = { key, timestamp, event: e.event, duration: e.duration, seenAt: now };
    else {
      this.open.duration = Math.max(this.open.duration, e.duration);
      this.open.seenAt = now;
    }
    if (e.end) {
      const done = this.close();
      if (done) out.push(done);
    }
    return out;
  }

  /** An open event whose end never came, once it has been quiet for DTMF_STALE_MS. */
  flush(now: number): DtmfEvent | undefined {
    if (!this.open || now - this.open.seenAt < DTMF_STALE_MS) return undefined;
    return this.close();
  }

  private close(): DtmfEvent | undefined {
    const open = this.open;
    if (!open) return undefined;
    this.open = undefined;
    this.reported.push({ key: open.key, at: open.seenAt });
    if (this.reported.length > 16) this.reported.shift();
    const digit = digitOf(open.event);
    return digit === undefined
      ? undefined
      : { digit, durationMs: open.duration / 8, timestamp: open.timestamp };
  }
}
