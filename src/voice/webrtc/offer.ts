// What we accept from a browser's offer before spending a media port and a peer connection on it: one
// audio stream over DTLS-SRTP with G.711 among its codecs (we never transcode), ICE credentials and a
// DTLS fingerprint. werift would fail later and less clearly on any of these.
import * as sdpTransform from 'sdp-transform';

/** The offer is not one we can answer; `reason` says why (the API maps it to 400). */
export class WebRtcOfferInvalid extends Error {
  readonly code = 'VOICE_WEBRTC_OFFER_INVALID';
  constructor(readonly reason: string) {
    super(`WebRTC offer refused: ${reason}`);
  }
}

const G711 = new Set(['PCMU', 'PCMA']);

/** Throws `WebRtcOfferInvalid` unless `sdp` is an offer we can answer. */
export function checkOffer(sdp: string): void {
  const reason = whyNot(sdp);
  if (reason !== undefined) throw new WebRtcOfferInvalid(reason);
}

function whyNot(sdp: string): string | undefined {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=0')) return 'not an SDP body (it must start with v=0)';
  let parsed: sdpTransform.SessionDescription;
  try {
    parsed = sdpTransform.parse(sdp);
  } catch (err) {
    return `unparsable SDP: ${(err as Error).message}`;
  }
  const audio = (parsed.media ?? []).filter((m) => m.type === 'audio' && m.port !== 0);
  if (audio.length === 0) return 'no audio stream';
  const m = audio[0]!;
  if (!/^UDP\/TLS\/RTP\/SAVPF?$/.test(m.protocol)) return `audio transport ${m.protocol} is not DTLS-SRTP`;
  if (!m.rtp.some((r) => G711.has(r.codec.toUpperCase()) && r.rate === 8000))
    return 'no G.711 codec (PCMU or PCMA at 8000 Hz) offered for audio';
  if (!(m.iceUfrag ?? parsed.iceUfrag) || !(m.icePwd ?? parsed.icePwd)) return 'no ICE credentials';
  if (!(m.fingerprint ?? parsed.fingerprint)) return 'no DTLS fingerprint';
  return undefined;
}
