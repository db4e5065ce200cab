// Audio as the media engine takes it: 16-bit PCM at 8 kHz, mono, encoded to G.711 (alawmulaw) once per
// clip and codec, then cut into 20 ms frames by the sessions that play it.
import alawmulaw from 'alawmulaw';

export type Codec = 'PCMU' | 'PCMA';

export const SAMPLE_RATE = 8000;
/** 20 ms at 8 kHz: one G.711 frame, one byte per sample. */
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;

/** A prompt or tone: PCM at 8 kHz. Build one with `createClip` so its encodings are cached. */
export interface AudioClip {
  readonly samples: Int16Array;
  /** G.711 encodings made so far. */
  readonly encoded: Partial<Record<Codec, Uint8Array>>;
}

/** PCM at any rate becomes a clip at 8 kHz. */
export function createClip(samples: Int16Array, sampleRate = SAMPLE_RATE): AudioClip {
  return {
    samples: sampleRate === SAMPLE_RATE ? samples : resample(samples, sampleRate, SAMPLE_RATE),
    encoded: {},
  };
}

/** A clip from G.711 bytes (prompts are stored as µ-law): those bytes are sent as they are. */
export function clipFromG711(codec: Codec, bytes: Uint8Array): AudioClip {
  const samples = codec === 'PCMU' ? alawmulaw.mulaw.decode(bytes) : alawmulaw.alaw.decode(bytes);
  return { samples, encoded: { [codec]: bytes } };
}

/** The clip in `codec`, encoded on first use. */
export function encodedClip(clip: AudioClip, codec: Codec): Uint8Array {
  const cached = clip.encoded[codec];
  if (cached) return cached;
  const bytes = codec === 'PCMU' ? alawmulaw.mulaw.encode(clip.samples) : alawmulaw.alaw.encode(clip.samples);
  (clip.encoded as Record<Codec, Uint8Array>)[codec] = bytes;
  return bytes;
}

export function decodeFrame(codec: Codec, payload: Uint8Array): Int16Array {
  return codec === 'PCMU' ? alawmulaw.mulaw.decode(payload) : alawmulaw.alaw.decode(payload);
}

/** One frame of silence: the code for 0 in each law. */
export function silenceFrame(codec: Codec): Uint8Array {
  return new Uint8Array(FRAME_SAMPLES).fill(codec === 'PCMU' ? 0xff : 0xd5);
}

/**
 * µ-law ⇄ A-law for a bridge between legs that chose different codecs: 256-entry tables, so a frame
 * costs 160 lookups.
 */
const TRANSCODE = {
  PCMU: Uint8Array.from({ length: 256 }, (_, b) =>
    alawmulaw.alaw.encodeSample(alawmulaw.mulaw.decodeSample(b)),
  ),
  PCMA: Uint8Array.from({ length: 256 }, (_, b) =>
    alawmulaw.mulaw.encodeSample(alawmulaw.alaw.decodeSample(b)),
  ),
};

export function transcode(from: Codec, to: Codec, payload: Uint8Array): Uint8Array {
  if (from === to) return payload;
  const table = TRANSCODE[from];
  const out = new Uint8Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = table[payload[i]!]!;
  return out;
}

/**
 * PCM → G.711 by table (64 K entries per law, built on first use): the mixer encodes a frame per member
 * per tick, where alawmulaw's per-sample arithmetic would dominate the cost.
 */
const ENCODE: Partial<Record<Codec, Uint8Array>> = {};

function encodeTable(codec: Codec): Uint8Array {
  let table = ENCODE[codec];
  if (!table) {
    const encode = codec === 'PCMU' ? alawmulaw.mulaw.encodeSample : alawmulaw.alaw.encodeSample;
    table = new Uint8Array(65536);
    for (let s = -32768; s < 32768; s++) table[s & 0xffff] = encode(s);
    ENCODE[codec] = table;
  }
  return table;
}

/** One frame of PCM in `codec`, written into `out` (one byte per sample). */
export function encodeFrame(
  codec: Codec,
  pcm: Int16Array,
  out: Uint8Array = new Uint8Array(pcm.length),
): Uint8Array {
  const table = encodeTable(codec);
  for (let i = 0; i < pcm.length; i++) out[i] = table[pcm[i]! & 0xffff]!;
  return out;
}

/**
 * Changes the sample rate. Going down, each output sample is the mean of the input samples it covers
 * (a box filter): enough against aliasing for speech prompts from a synthesiser at 16–24 kHz.
 */
export function resample(input: Int16Array, from: number, to: number): Int16Array {
  if (from === to || input.length === 0) return input;
  const length = Math.max(1, Math.floor((input.length * to) / from));
  const out = new Int16Array(length);
  const step = from / to;
  for (let i = 0; i < length; i++) {
    const centre = i * step;
    if (step <= 1) {
      const j = Math.floor(centre);
      const frac = centre - j;
      const a = input[j] ?? 0;
      const b = input[Math.min(j + 1, input.length - 1)] ?? a;
      out[i] = Math.round(a + (b - a) * frac);
      continue;
    }
    const lo = Math.max(0, Math.floor(centre - step / 2));
    const hi = Math.min(input.length, Math.ceil(centre + step / 2));
    let sum = 0;
    for (let j = lo; j < hi; j++) sum += input[j]!;
    out[i] = Math.round(sum / Math.max(1, hi - lo));
  }
  return out;
}

/** A sine tone (tests, the benchmark's prompt, a beep). */
export function tone(frequency: number, durationMs: number, amplitude = 8000): AudioClip {
  const n = Math.round((durationMs / 1000) * SAMPLE_RATE);
  const samples = new Int16Array(n);
  for (let i = 0; i < n; i++)
    samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE));
  return createClip(samples);
}
