// RTP packets (RFC 3550 §5.1): read without trusting the bytes, written into fresh buffers.

export interface RtpHeader {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
}

export interface RtpPacket extends RtpHeader {
  /** A view into the datagram (no copy): valid until the datagram's buffer is reused. */
  payload: Uint8Array;
}

export const RTP_HEADER_BYTES = 12;

/** The packet, or undefined for anything that is not RTP version 2 with a consistent layout. */
export function parseRtp(data: Uint8Array): RtpPacket | undefined {
  if (data.length < RTP_HEADER_BYTES) return undefined;
  const b0 = data[0]!;
  if (b0 >> 6 !== 2) return undefined;
  const b1 = data[1]!;
  // RFC 5761 §4: payload types 64–95 collide with RTCP packet types 192–223 when multiplexed.
  const payloadType = b1 & 0x7f;
  if (payloadType >= 64 && payloadType <= 95) return undefined;
  let offset = RTP_HEADER_BYTES + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (data.length < offset + 4) return undefined;
    const words = (data[offset + 2]! << 8) | data[offset + 3]!;
    offset += 4 + words * 4;
  }
  let end = data.length;
  if (b0 & 0x20) {
    const padding = data[data.length - 1]!;
    if (padding === 0) return undefined;
    end -= padding;
  }
  if (offset > end) return undefined;
  return {
    payloadType,
    marker: (b1 & 0x80) !== 0,
    sequence: (data[2]! << 8) | data[3]!,
    timestamp: ((data[4]! << 24) | (data[5]! << 16) | (data[6]! << 8) | data[7]!) >>> 0,
    ssrc: ((data[8]! << 24) | (data[9]! << 16) | (data[10]! << 8) | data[11]!) >>> 0,
    payload: data.subarray(offset, end),
  };
}

/** A packet with no CSRCs, extension or padding, in a buffer of its own. */
export function encodeRtp(header: RtpHeader, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RTP_HEADER_BYTES + payload.length);
  out[0] = 0x80;
  out[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  out.writeUInt16BE(header.sequence & 0xffff, 2);
  out.writeUInt32BE(header.timestamp >>> 0, 4);
  out.writeUInt32BE(header.ssrc >>> 0, 8);
  out.set(payload, RTP_HEADER_BYTES);
  return out;
}
