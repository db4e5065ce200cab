// The encrypted call-recording file (`.sbrec`): a header, then ~1 s chunks of 16-bit stereo PCM each
// sealed with AES-256-GCM under the recording's own data key. The data key is wrapped with the
// installation's master key and kept in the database row, never in the file.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../../core/index.js';
import { type Cipher, DecryptionFailed } from '../../security/index.js';

/**
 * Layout (integers big-endian):
 *   header: "SBREC1" | version u8 | channels u8 | sample rate u32 | bits u8 | reserved u8
 *           | nonce prefix (4 random bytes) | key id length u16 | key id (UTF-8: the recording id,
 *           whose database row holds the wrapped data key)
 *   chunk:  flags u8 (bit 0: last) | length u32 | ciphertext (length bytes) | GCM tag (16 bytes)
 * Each chunk's nonce is the prefix and its index (u64); its additional data is the whole header, its
 * index and its flags. So a chunk moved, dropped, or taken from another file fails, and so does a
 * file that ends before a chunk flagged last (truncation) or goes on after it.
 */
export const MAGIC = Buffer.from('SBREC1', 'ascii');
export const FORMAT_VERSION = 1;
export const RECORDING_SAMPLE_RATE = 8000;
export const RECORDING_CHANNELS = 2;
const BITS = 16;
const TAG_BYTES = 16;
const CHUNK_HEAD = 5;
const FLAG_LAST = 1;
/** A chunk is about 1 s (32 KB); anything near this is not one of ours. */
const MAX_CHUNK = 16 * 1024 * 1024;

/** A recording that cannot be read back: wrong master key, altered or truncated file, not ours. */
export class RecordingUnreadable extends DomainError {
  readonly code = 'RECORDING_UNREADABLE';
  readonly status = 500;
}

export interface RecordingHeader {
  version: number;
  channels: number;
  sampleRate: number;
  keyId: string;
  noncePrefix: Buffer;
}

/** A fresh 32-byte data key for one recording. */
export function newDataKey(): Buffer {
  return randomBytes(32);
}

/** The data key sealed with the master key (envelope encryption): what the database row keeps. */
export function wrapDataKey(cipher: Cipher, dataKey: Buffer): string {
  return cipher.encrypt(dataKey.toString('base64'));
}

export function unwrapDataKey(cipher: Cipher, wrapped: string): Buffer {
  let key: Buffer;
  try {
    key = Buffer.from(cipher.decrypt(wrapped), 'base64');
  } catch (err) {
    if (err instanceof DecryptionFailed)
      throw new RecordingUnreadable('the recording key cannot be unwrapped: wrong master key, or altered');
    throw err;
  }
  if (key.length !== 32) throw new RecordingUnreadable('the unwrapped recording key is not 32 bytes');
  return key;
}

export function encodeHeader(keyId: string, noncePrefix: Buffer): Buffer {
  const id = Buffer.from(keyId, 'utf8');
  if (noncePrefix.length !== 4) throw new Error('the nonce prefix is 4 bytes');
  if (id.length > 0xffff) throw new Error('key id too long');
  const head = Buffer.alloc(20);
  MAGIC.copy(head, 0);
  head.writeUInt8(FORMAT_VERSION, 6);
  head.writeUInt8(RECORDING_CHANNELS, 7);
  head.writeUInt32BE(RECORDING_SAMPLE_RATE, 8);
  head.writeUInt8(BITS, 12);
  head.writeUInt8(0, 13);
  noncePrefix.copy(head, 14);
  head.writeUInt16BE(id.length, 18);
  return Buffer.concat([head, id]);
}

/** Parses the header; returns it with its length (the chunks start there). */
export function decodeHeader(file: Buffer): { header: RecordingHeader; length: number } {
  if (file.length < 20 || !file.subarray(0, 6).equals(MAGIC))
    throw new RecordingUnreadable('not a Switchboard recording (no SBREC1 header)');
  const version = file.readUInt8(6);
  if (version !== FORMAT_VERSION)
    throw new RecordingUnreadable(`recording format version ${version} is not supported`);
  const channels = file.readUInt8(7);
  const sampleRate = file.readUInt32BE(8);
  if (channels !== RECORDING_CHANNELS || sampleRate !== RECORDING_SAMPLE_RATE || file.readUInt8(12) !== BITS)
    throw new RecordingUnreadable('recording header names an audio format we do not write');
  const idLength = file.readUInt16BE(18);
  if (file.length < 20 + idLength) throw new RecordingUnreadable('recording header is cut short');
  return {
    header: {
      version,
      channels,
      sampleRate,
      noncePrefix: Buffer.from(file.subarray(14, 18)),
      keyId: file.subarray(20, 20 + idLength).toString('utf8'),
    },
    length: 20 + idLength,
  };
}

function chunkNonce(prefix: Buffer, index: bigint): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0);
  nonce.writeBigUInt64BE(index, 4);
  return nonce;
}

function chunkAad(header: Buffer, index: bigint, flags: number): Buffer {
  const tail = Buffer.alloc(9);
  tail.writeBigUInt64BE(index, 0);
  tail.writeUInt8(flags, 8);
  return Buffer.concat([header, tail]);
}

/** Seals chunks in order for one recording; pure (no I/O), so the writer and the tests share it. */
export class RecordingSealer {
  readonly header: Buffer;
  private index = 0n;
  private ended = false;

  constructor(
    private readonly dataKey: Buffer,
    keyId: string,
    private readonly noncePrefix: Buffer = randomBytes(4),
  ) {
    if (dataKey.length !== 32) throw new Error('the data key must be 32 bytes');
    this.header = encodeHeader(keyId, noncePrefix);
  }

  /** Chunks sealed so far. */
  get chunks(): number {
    return Number(this.index);
  }

  /** `pcm`: interleaved 16-bit little-endian stereo samples. The chunk flagged `last` ends the file. */
  seal(pcm: Uint8Array, last = false): Buffer {
    if (this.ended) throw new Error('the recording has ended: no chunk after the last');
    const flags = last ? FLAG_LAST : 0;
    const c = createCipheriv('aes-256-gcm', this.dataKey, chunkNonce(this.noncePrefix, this.index));
    c.setAAD(chunkAad(this.header, this.index, flags));
    const body = Buffer.concat([c.update(pcm), c.final()]);
    const head = Buffer.alloc(CHUNK_HEAD);
    head.writeUInt8(flags, 0);
    head.writeUInt32BE(body.length, 1);
    this.index += 1n;
    if (last) this.ended = true;
    return Buffer.concat([head, body, c.getAuthTag()]);
  }
}

/** Decrypts a whole file with its data key: the header and the interleaved PCM of every chunk. */
export function openRecordingBytes(file: Buffer, dataKey: Buffer): { header: RecordingHeader; pcm: Buffer } {
  const { header, length } = decodeHeader(file);
  const headerBytes = file.subarray(0, length);
  const parts: Buffer[] = [];
  let at = length;
  let index = 0n;
  for (;;) {
    if (at + CHUNK_HEAD > file.length)
      throw new RecordingUnreadable('the recording is truncated: it ends before its last chunk');
    const flags = file.readUInt8(at);
    const size = file.readUInt32BE(at + 1);
    if ((flags & ~FLAG_LAST) !== 0 || size > MAX_CHUNK)
      throw new RecordingUnreadable(`recording chunk ${index} has a malformed header`);
    const end = at + CHUNK_HEAD + size + TAG_BYTES;
    if (end > file.length)
      throw new RecordingUnreadable('the recording is truncated: it ends inside a chunk');
    const d = createDecipheriv('aes-256-gcm', dataKey, chunkNonce(header.noncePrefix, index));
    d.setAAD(chunkAad(headerBytes, index, flags));
    d.setAuthTag(file.subarray(end - TAG_BYTES, end));
    try {
      parts.push(d.update(file.subarray(at + CHUNK_HEAD, end - TAG_BYTES)), d.final());
    } catch {
      throw new RecordingUnreadable(
        `recording chunk ${index} fails authentication: wrong key, or the file was altered or reordered`,
      );
    }
    at = end;
    index += 1n;
    if (flags & FLAG_LAST) break;
  }
  if (at !== file.length) throw new RecordingUnreadable('the recording has bytes after its last chunk');
  return { header, pcm: Buffer.concat(parts) };
}

/** A RIFF/WAVE file of 16-bit PCM: what playback serves. */
export function pcmToWav(pcm: Buffer, sampleRate: number, channels: number): Buffer {
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + pcm.length, 4);
  head.write('WAVE', 8, 'ascii');
  head.write('fmt ', 12, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(channels, 22);
  head.writeUInt32LE(sampleRate, 24);
  head.writeUInt32LE(sampleRate * channels * 2, 28);
  head.writeUInt16LE(channels * 2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([head, pcm]);
}

/**
 * The recording as a WAV (16-bit PCM, 8 kHz, stereo: left the customer, right the agent).
 * `expectedId`, when given, must be the key id in the header: a file put in another row's place
 * is refused even before its chunks would fail.
 */
export function readRecording(file: Buffer, wrappedKey: string, cipher: Cipher, expectedId?: string): Buffer {
  const dataKey = unwrapDataKey(cipher, wrappedKey);
  const { header, pcm } = openRecordingBytes(file, dataKey);
  if (expectedId !== undefined && header.keyId !== expectedId)
    throw new RecordingUnreadable(`the file holds recording ${header.keyId}, not ${expectedId}`);
  return pcmToWav(pcm, header.sampleRate, header.channels);
}
