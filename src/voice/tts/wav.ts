import { DomainError } from '../../core/index.js';
import { decodeAlaw, decodeMulaw } from './g711.js';

/**
 * RIFF/WAVE as eSpeak NG writes it and as people upload it: linear PCM (8 or 16 bit), G.711 µ-law
 * or A-law, any channel count (mixed down to mono), read into 16-bit samples.
 */
export interface Pcm {
  samples: Int16Array;
  sampleRate: number;
}

/** An upload that is not audio we can read. */
export class WavError extends DomainError {
  readonly code = 'UNSUPPORTED_AUDIO';
  readonly status = 400;
}

const FORMAT_PCM = 1;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

function tag(buf: Uint8Array, at: number): string {
  return String.fromCharCode(buf[at]!, buf[at + 1]!, buf[at + 2]!, buf[at + 3]!);
}

interface Chunks {
  format: number;
  channels: number;
  rate: number;
  bits: number;
  data: Uint8Array;
}

function chunksOf(buf: Uint8Array): Chunks {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 12 || tag(buf, 0) !== 'RIFF' || tag(buf, 8) !== 'WAVE')
    throw new WavError('not a WAV file (no RIFF/WAVE header)');
  let fmt: Omit<Chunks, 'data'> | undefined;
  let data: Uint8Array | undefined;
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = tag(buf, at);
    const declared = view.getUint32(at + 4, true);
    // A streaming writer (eSpeak NG writing to a pipe) leaves the size at its maximum.
    const size = Math.min(declared, buf.length - at - 8);
    if (id === 'fmt ' && size >= 16) {
      let format = view.getUint16(at + 8, true);
      if (format === FORMAT_EXTENSIBLE && size >= 26) format = view.getUint16(at + 32, true);
      fmt = {
        format,
        channels: view.getUint16(at + 10, true),
        rate: view.getUint32(at + 12, true),
        bits: view.getUint16(at + 22, true),
      };
    } else if (id === 'data') {
      data = buf.subarray(at + 8, at + 8 + size);
    }
    at += 8 + size + (size % 2);
  }
  if (!fmt) throw new WavError('the WAV file has no fmt chunk');
  if (!data) throw new WavError('the WAV file has no data chunk');
  return { ...fmt, data };
}

/** The µ-law bytes of an 8 kHz mono µ-law WAV (a stored prompt), as they are; undefined for any other WAV. */
export function mulawDataOf(buf: Uint8Array): Uint8Array | undefined {
  const c = chunksOf(buf);
  return c.format === FORMAT_MULAW && c.rate === 8000 && c.channels === 1 ? c.data : undefined;
}

export function parseWav(buf: Uint8Array): Pcm {
  const { format, channels, rate, bits, data } = chunksOf(buf);
  if (channels < 1 || channels > 8) throw new WavError(`${channels} channels is not supported`);
  if (rate < 8000 || rate > 48_000)
    throw new WavError(`a sample rate of ${rate} Hz is not supported (8–48 kHz)`);
  let interleaved: Int16Array;
  if (format === FORMAT_PCM && bits === 16) {
    const n = Math.floor(data.length / 2);
    interleaved = new Int16Array(n);
    const dv = new DataView(data.buffer, data.byteOffset, n * 2);
    for (let i = 0; i < n; i++) interleaved[i] = dv.getInt16(i * 2, true);
  } else if (format === FORMAT_PCM && bits === 8) {
    interleaved = Int16Array.from(data, (b) => (b - 128) << 8);
  } else if (format === FORMAT_MULAW && bits === 8) {
    interleaved = decodeMulaw(data);
  } else if (format === FORMAT_ALAW && bits === 8) {
    interleaved = decodeAlaw(data);
  } else {
    throw new WavError(`WAV format ${format} with ${bits}-bit samples is not supported (use 16-bit PCM)`);
  }
  return { samples: mixDown(interleaved, channels), sampleRate: rate };
}

function mixDown(interleaved: Int16Array, channels: number): Int16Array {
  if (channels === 1) return interleaved;
  const frames = Math.floor(interleaved.length / channels);
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c]!;
    out[f] = Math.round(sum / channels);
  }
  return out;
}

function header(format: number, rate: number, bits: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(format, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE((rate * bits) / 8, 28);
  h.writeUInt16LE(bits / 8, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** 16-bit mono PCM: what every browser plays (the admin's preview). */
export function pcmWav(samples: Int16Array, rate: number): Buffer {
  const body = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) body.writeInt16LE(samples[i]!, i * 2);
  return Buffer.concat([header(FORMAT_PCM, rate, 16, body.length), body]);
}

/** G.711 µ-law mono at 8 kHz, as prompts are kept on disk. */
export function mulawWav(pcmu: Uint8Array): Buffer {
  return Buffer.concat([header(FORMAT_MULAW, 8000, 8, pcmu.length), pcmu]);
}
