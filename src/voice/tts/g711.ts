import g711 from 'alawmulaw';

/**
 * G.711 (ITU-T): 8 kHz telephone audio, one byte a sample. µ-law (PCMU, RTP payload type 0) in
 * North America and Japan, A-law (PCMA, type 8) elsewhere, China included; prompts are kept in
 * µ-law and turned into A-law when a call negotiated PCMA.
 */
// alawmulaw ships a UMD bundle: Node sees one CommonJS export object.
const { alaw, mulaw } = g711;

export const G711_RATE = 8000;
export type G711Codec = 'pcmu' | 'pcma';

export function encodeMulaw(pcm: Int16Array): Uint8Array {
  return mulaw.encode(pcm);
}

export function decodeMulaw(bytes: Uint8Array): Int16Array {
  return mulaw.decode(bytes);
}

export function encodeAlaw(pcm: Int16Array): Uint8Array {
  return alaw.encode(pcm);
}

export function decodeAlaw(bytes: Uint8Array): Int16Array {
  return alaw.decode(bytes);
}

/** µ-law bytes as the codec a call speaks. */
export function transcodeMulaw(pcmu: Uint8Array, codec: G711Codec): Uint8Array {
  return codec === 'pcmu' ? pcmu : alaw.encode(mulaw.decode(pcmu));
}
