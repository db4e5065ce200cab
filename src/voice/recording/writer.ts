// Appends sealed chunks to a recording file. PCM is encrypted in memory before each append, so plain
// audio never reaches the disk; writes are queued in order and a bounded backlog is kept.
import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Cipher } from '../../security/index.js';
import { newDataKey, RecordingSealer, wrapDataKey } from './format.js';

/** Chunks (about 1 s each) allowed to wait for the disk; past that, audio is dropped with a warning. */
const MAX_BACKLOG = 64;

/** Recording ids become file names: nothing that could leave the directory. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export interface WrittenFile {
  path: string;
  bytes: number;
  /** Hex SHA-256 of the encrypted file, as written. */
  sha256: string;
}

export class RecordingFileWriter {
  readonly path: string;
  readonly wrappedKey: string;
  private readonly sealer: RecordingSealer;
  private readonly hash: Hash = createHash('sha256');
  private handle: Promise<FileHandle>;
  private queue: Promise<void>;
  private backlog = 0;
  private bytes = 0;
  private failure: unknown;
  private droppedChunks = 0;
  private finished: Promise<WrittenFile> | undefined;

  constructor(
    dir: string,
    readonly id: string,
    cipher: Cipher,
    private readonly logger: Logger,
  ) {
    if (!SAFE_ID.test(id)) throw new Error(`recording id ${JSON.stringify(id)} is not a safe file name`);
    this.path = path.join(dir, `${id}.sbrec`);
    const dataKey = newDataKey();
    this.wrappedKey = wrapDataKey(cipher, dataKey);
    this.sealer = new RecordingSealer(dataKey, id);
    // 'wx': a recording never overwrites another; owner-only, like the master key file.
    this.handle = mkdir(dir, { recursive: true, mode: 0o700 }).then(() => open(this.path, 'wx', 0o600));
    this.queue = this.handle.then(() => {});
    this.write(this.sealer.header);
  }

  /** Seals `pcm` (interleaved 16-bit LE stereo) now and queues it for the disk. */
  append(pcm: Uint8Array): void {
    if (this.finished) throw new Error('the recording file is closed');
    if (this.backlog >= MAX_BACKLOG || this.failure !== undefined) {
      // Dropped before sealing, so chunk indices stay contiguous and the file stays readable.
      if (this.droppedChunks++ === 0)
        this.logger.warn(
          { recording: this.id, err: this.failure },
          'recording: the disk is not keeping up (or failed); audio is being dropped',
        );
      return;
    }
    this.write(this.sealer.seal(pcm));
  }

  /** Seals the last chunk (possibly empty), waits for every write, closes the file. Once. */
  finish(pcm: Uint8Array = new Uint8Array(0)): Promise<WrittenFile> {
    if (!this.finished) {
      this.write(this.sealer.seal(pcm, true));
      this.finished = this.queue.then(async () => {
        const handle = await this.handle.catch(() => undefined);
        if (handle) {
          if (this.failure === undefined) await handle.sync().catch((err: unknown) => this.fail(err));
          await handle.close();
        }
        if (this.failure !== undefined) throw this.failure;
        if (this.droppedChunks > 0)
          this.logger.warn(
            { recording: this.id, droppedSeconds: this.droppedChunks },
            'recording: finished with audio dropped',
          );
        return { path: this.path, bytes: this.bytes, sha256: this.hash.digest('hex') };
      });
    }
    return this.finished;
  }

  private write(sealed: Buffer): void {
    this.backlog++;
    this.queue = this.queue
      .then(async () => {
        if (this.failure !== undefined) return;
        const handle = await this.handle;
        await handle.write(sealed);
        this.hash.update(sealed);
        this.bytes += sealed.length;
      })
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.backlog--;
      });
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.logger.error({ err, recording: this.id, path: this.path }, 'recording: writing the file failed');
  }
}
