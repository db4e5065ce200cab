import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createCipher } from '../../security/index.js';
import {
  decodeHeader,
  newDataKey,
  openRecordingBytes,
  RecordingSealer,
  RecordingUnreadable,
  readRecording,
  wrapDataKey,
} from './format.js';
import { RecordingFileWriter } from './writer.js';

const logger = pino({ level: 'silent' });
const master = createCipher(Buffer.alloc(32, 7));
const otherMaster = createCipher(Buffer.alloc(32, 8));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'sbrec-'));
  dirs.push(d);
  return d;
}

/** Interleaved stereo 16-bit LE: a ramp on the left, a distinctive pattern on the right. */
function stereoPcm(frames: number, seed = 1): Buffer {
  const pcm = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    pcm.writeInt16LE(((i * 37 + seed * 101) % 60000) - 30000, i * 4);
    pcm.writeInt16LE(((i * i * 13 + seed) % 50000) - 25000, i * 4 + 2);
  }
  return pcm;
}

/** A sealed file of `parts` (each one chunk), the last flagged last. */
function sealParts(parts: Buffer[], key = newDataKey(), id = 'rec-1') {
  const sealer = new RecordingSealer(key, id);
  const chunks = parts.map((p, i) => sealer.seal(p, i === parts.length - 1));
  return { key, header: sealer.header, chunks, file: Buffer.concat([sealer.header, ...chunks]) };
}

function wavData(wav: Buffer): { channels: number; rate: number; bits: number; data: Buffer } {
  expect(wav.subarray(0, 4).toString('ascii')).toBe('RIFF');
  expect(wav.subarray(8, 12).toString('ascii')).toBe('WAVE');
  return {
    channels: wav.readUInt16LE(22),
    rate: wav.readUInt32LE(24),
    bits: wav.readUInt16LE(34),
    data: wav.subarray(44, 44 + wav.readUInt32LE(40)),
  };
}

describe('the encrypted recording format', () => {
  it('round-trips through a file: the WAV is 16-bit stereo at 8 kHz with the same samples', async () => {
    const dir = tempDir();
    const writer = new RecordingFileWriter(dir, 'rec-roundtrip', master, logger);
    const a = stereoPcm(8000, 1);
    const b = stereoPcm(8000, 2);
    const c = stereoPcm(1234, 3);
    writer.append(a);
    writer.append(b);
    const written = await writer.finish(c);
    const file = readFileSync(written.path);
    expect(written.bytes).toBe(file.length);
    expect(written.sha256).toMatch(/^[0-9a-f]{64}$/);
    const wav = wavData(readRecording(file, writer.wrappedKey, master, 'rec-roundtrip'));
    expect(wav).toMatchObject({ channels: 2, rate: 8000, bits: 16 });
    expect(wav.data.equals(Buffer.concat([a, b, c]))).toBe(true);
    expect(decodeHeader(file).header.keyId).toBe('rec-roundtrip');
  });

  it('the file on disk holds no PCM run and no RIFF/WAVE header; the key is not in it', async () => {
    const dir = tempDir();
    const writer = new RecordingFileWriter(dir, 'rec-raw', master, logger);
    const pcm = stereoPcm(16000, 9);
    writer.append(pcm.subarray(0, 32000));
    const written = await writer.finish(pcm.subarray(32000));
    const raw = readFileSync(written.path);
    for (const at of [0, 4096, 32000, 50000]) expect(raw.includes(pcm.subarray(at, at + 64))).toBe(false);
    expect(raw.includes(Buffer.from('RIFF'))).toBe(false);
    expect(raw.includes(Buffer.from('WAVE'))).toBe(false);
    expect(raw.subarray(0, 6).toString('ascii')).toBe('SBREC1');
    expect(raw.includes(Buffer.from(writer.wrappedKey))).toBe(false);
  });

  it('refuses a wrong master key with a clear error', () => {
    const { key, file } = sealParts([stereoPcm(800)]);
    const wrapped = wrapDataKey(master, key);
    expect(() => readRecording(file, wrapped, otherMaster)).toThrow(RecordingUnreadable);
    expect(() => readRecording(file, wrapped, otherMaster)).toThrow(/wrong master key/);
    // A data key of another recording fails on the first chunk.
    expect(() => readRecording(file, wrapDataKey(master, newDataKey()), master)).toThrow(
      /fails authentication/,
    );
  });

  it('detects any flipped byte, in the header or in a chunk', () => {
    const { key, file } = sealParts([stereoPcm(400), stereoPcm(400, 2)]);
    expect(() => openRecordingBytes(file, key)).not.toThrow();
    for (const at of [0, 7, 15, 25, 40, 800, file.length - 20, file.length - 1]) {
      const bad = Buffer.from(file);
      bad[at]! ^= 0x01;
      expect(() => openRecordingBytes(bad, key), `byte ${at}`).toThrow(RecordingUnreadable);
    }
  });

  it('detects chunks swapped, dropped, or taken from another recording', () => {
    const { key, header, chunks } = sealParts([stereoPcm(400, 1), stereoPcm(400, 2), stereoPcm(400, 3)]);
    const swapped = Buffer.concat([header, chunks[1]!, chunks[0]!, chunks[2]!]);
    expect(() => openRecordingBytes(swapped, key)).toThrow(/chunk 0 fails authentication/);
    const dropped = Buffer.concat([header, chunks[0]!, chunks[2]!]);
    expect(() => openRecordingBytes(dropped, key)).toThrow(/chunk 1 fails authentication/);
    // Same key, another file's header (another nonce prefix and id): its chunks do not belong here.
    const other = sealParts([stereoPcm(400, 4)], key, 'rec-2');
    const spliced = Buffer.concat([header, chunks[0]!, chunks[1]!, other.chunks[0]!]);
    expect(() => openRecordingBytes(spliced, key)).toThrow(RecordingUnreadable);
  });

  it('detects truncation: at a chunk boundary (no last chunk), inside a chunk, and extra bytes', () => {
    const { key, header, chunks, file } = sealParts([stereoPcm(400, 1), stereoPcm(400, 2)]);
    expect(() => openRecordingBytes(Buffer.concat([header, chunks[0]!]), key)).toThrow(/truncated/);
    expect(() => openRecordingBytes(file.subarray(0, file.length - 10), key)).toThrow(/truncated/);
    expect(() => openRecordingBytes(header, key)).toThrow(/truncated/);
    expect(() => openRecordingBytes(Buffer.concat([file, Buffer.from([0])]), key)).toThrow(
      /after its last chunk/,
    );
    // Flagging the first chunk as last (dropping the rest) breaks its authentication.
    const relabelled = Buffer.concat([header, chunks[0]!]);
    relabelled[header.length] = 1;
    expect(() => openRecordingBytes(relabelled, key)).toThrow(/fails authentication/);
  });

  it('refuses what is not a recording', () => {
    const key = newDataKey();
    expect(() => openRecordingBytes(Buffer.from('RIFF....WAVEfmt '), key)).toThrow(/not a Switchboard/);
  });

  it('any sequence of frames round-trips (property)', () => {
    const frame = fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 640 });
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 12 }), (frames) => {
        const parts = frames.map((f) => {
          const b = Buffer.alloc(f.length * 2);
          for (const [i, s] of f.entries()) b.writeInt16LE(s, i * 2);
          return b;
        });
        const { key, file } = sealParts(parts);
        const { pcm } = openRecordingBytes(file, key);
        expect(pcm.equals(Buffer.concat(parts))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
