// SDP offer/answer (RFC 3264) for one audio stream: G.711 (PCMU, PCMA) and RFC 4733 telephone-events.
// Anything else — no G.711 offered, SRTP only, no audio — is refused (488 at the SIP level).
import * as sdpTransform from 'sdp-transform';
import type { Codec } from './audio.js';

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** The far end of an RTP stream as negotiated. */
export interface RemoteMedia {
  address: string;
  port: number;
  codec: Codec;
  payloadType: number;
  /** telephone-event's payload type, when both sides have it. */
  dtmfPayloadType: number | undefined;
  /** From the remote side's point of view (sendonly: it holds us, RFC 3264 §8.4). */
  direction: Direction;
}

/** Our side of the stream. */
export interface LocalMedia {
  address: string;
  port: number;
  /** Changes with every new offer or answer we make (RFC 3264 §8). */
  sessionId: number;
  version: number;
}

export type Negotiation =
  | { ok: true; answer: string; remote: RemoteMedia }
  | { ok: false; status: 488 | 400; reason: string };

const STATIC: Record<number, Codec> = { 0: 'PCMU', 8: 'PCMA' };
const DTMF_PT = 101;
const ANSWER_FOR: Record<Direction, Direction> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

type Media = sdpTransform.MediaDescription;

function parse(text: string): sdpTransform.SessionDescription | undefined {
  try {
    const s = sdpTransform.parse(text);
    return Array.isArray(s.media) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The codec a payload type stands for in this m= line (static 0/8, or a PCMU/PCMA rtpmap at 8 kHz). */
function codecOf(media: Media, pt: number): Codec | undefined {
  const map = media.rtp?.find((r) => r.payload === pt);
  if (map) {
    const name = map.codec.toUpperCase();
    return (name === 'PCMU' || name === 'PCMA') && map.rate === 8000 ? name : undefined;
  }
  return STATIC[pt];
}

function payloadTypes(media: Media): number[] {
  return String(media.payloads ?? '')
    .split(/\s+/)
    .filter((p) => /^\d{1,3}$/.test(p))
    .map(Number);
}

function dtmfTypeOf(media: Media): number | undefined {
  return media.rtp?.find((r) => r.codec.toLowerCase() === 'telephone-event' && r.rate === 8000)?.payload;
}

function addressOf(session: sdpTransform.SessionDescription, media: Media): string | undefined {
  const ip = media.connection?.ip ?? session.connection?.ip;
  return ip ? ip.split('/')[0] : undefined;
}

function directionOf(session: sdpTransform.SessionDescription, media: Media): Direction {
  return media.direction ?? session.direction ?? 'sendrecv';
}

/** Answers an offer: the offerer's first G.711 codec, telephone-event if offered. */
export function answerOffer(offer: string, local: LocalMedia): Negotiation {
  const session = parse(offer);
  if (!session) return { ok: false, status: 400, reason: 'Malformed SDP' };
  const index = session.media.findIndex((m) => m.type === 'audio' && m.port > 0);
  const media = session.media[index];
  if (!media) return { ok: false, status: 488, reason: 'No Audio Stream' };
  if (!/^RTP\/AVP$/i.test(media.protocol)) return { ok: false, status: 488, reason: 'Only RTP/AVP' };
  const pts = payloadTypes(media);
  const chosen = pts.find((pt) => codecOf(media, pt) !== undefined);
  const address = addressOf(session, media);
  if (chosen === undefined) return { ok: false, status: 488, reason: 'No G.711 Codec' };
  if (!address) return { ok: false, status: 400, reason: 'No Connection Address' };
  const dtmf = dtmfTypeOf(media);
  const direction = directionOf(session, media);
  const remote: RemoteMedia = {
    address,
    port: media.port,
    codec: codecOf(media, chosen)!,
    payloadType: chosen,
    dtmfPayloadType: dtmf !== undefined && pts.includes(dtmf) ? dtmf : undefined,
    direction,
  };
  // RFC 3264 §6: one m= line in the answer per line of the offer; the ones we refuse get port 0.
  const lines = session.media.map((m, i) =>
    i === index
      ? audioLine(local.port, remote.codec, remote.payloadType, remote.dtmfPayloadType, ANSWER_FOR[direction])
      : {
          type: m.type,
          port: 0,
          protocol: m.protocol,
          payloads: String(m.payloads ?? '0'),
          rtp: [],
          fmtp: [],
        },
  );
  return { ok: true, answer: write(local, lines), remote };
}

/** Our offer (a delayed-offer INVITE, or a call we place): PCMU, PCMA and telephone-event. */
export function createOffer(local: LocalMedia, direction: Direction = 'sendrecv'): string {
  const media: Media = {
    type: 'audio',
    port: local.port,
    protocol: 'RTP/AVP',
    payloads: `0 8 ${DTMF_PT}`,
    rtp: [
      { payload: 0, codec: 'PCMU', rate: 8000 },
      { payload: 8, codec: 'PCMA', rate: 8000 },
      { payload: DTMF_PT, codec: 'telephone-event', rate: 8000 },
    ],
    fmtp: [{ payload: DTMF_PT, config: '0-16' }],
    ptime: 20,
    direction,
  };
  return write(local, [media]);
}

/** Reads the answer to our offer; undefined when it names nothing we offered. */
export function readAnswer(answer: string): RemoteMedia | undefined {
  const session = parse(answer);
  const media = session?.media.find((m) => m.type === 'audio' && m.port > 0);
  if (!session || !media) return undefined;
  const pts = payloadTypes(media);
  const chosen = pts.find((pt) => codecOf(media, pt) !== undefined);
  const address = addressOf(session, media);
  if (chosen === undefined || !address) return undefined;
  const dtmf = dtmfTypeOf(media);
  return {
    address,
    port: media.port,
    codec: codecOf(media, chosen)!,
    payloadType: chosen,
    dtmfPayloadType: dtmf !== undefined && pts.includes(dtmf) ? dtmf : undefined,
    direction: directionOf(session, media),
  };
}

/** On hold: the remote side sends only, or nothing, or points us at 0.0.0.0 (RFC 2543 style). */
export function isHold(remote: RemoteMedia): boolean {
  return remote.direction === 'sendonly' || remote.direction === 'inactive' || remote.address === '0.0.0.0';
}

function audioLine(
  port: number,
  codec: Codec,
  pt: number,
  dtmf: number | undefined,
  direction: Direction,
): Media {
  return {
    type: 'audio',
    port,
    protocol: 'RTP/AVP',
    payloads: dtmf === undefined ? String(pt) : `${pt} ${dtmf}`,
    rtp: [
      { payload: pt, codec, rate: 8000 },
      ...(dtmf === undefined ? [] : [{ payload: dtmf, codec: 'telephone-event', rate: 8000 }]),
    ],
    fmtp: dtmf === undefined ? [] : [{ payload: dtmf, config: '0-16' }],
    ptime: 20,
    direction,
  };
}

function write(local: LocalMedia, media: Media[]): string {
  const ipVer = local.address.includes(':') ? 6 : 4;
  return sdpTransform.write({
    version: 0,
    origin: {
      username: '-',
      sessionId: local.sessionId,
      sessionVersion: local.version,
      netType: 'IN',
      ipVer,
      address: local.address,
    },
    name: 'Switchboard',
    connection: { version: ipVer, ip: local.address },
    timing: { start: 0, stop: 0 },
    media,
  });
}
