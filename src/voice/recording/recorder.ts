// Records one call: the customer's received audio on the left channel, the current agent leg's on the
// right, aligned on a 20 ms clock and sealed into the encrypted file about once a second.
import type { Logger } from 'pino';
import type { Cipher } from '../../security/index.js';
import type { MediaSession } from '../media/index.js';
import { RECORDING_CHANNELS } from './format.js';
import { RecordingFileWriter } from './writer.js';

export interface RecorderDeps {
  /** The tenant's recordings directory: DATA_DIR/recordings/<tenantId> (`recordingsDir`). */
  dir: string;
  cipher: Cipher;
  /** Milliseconds on a steady clock; the default is the monotonic clock as epoch milliseconds. */
  now?: () => number;
  logger: Logger;
}

export interface RecordingFile {
  id: string;
  /** Absolute path of the encrypted file. */
  path: string;
  /** The data key wrapped with the master key: goes into the database row, never into the file. */
  wrappedKey: string;
  durationMs: number;
  /** Size of the encrypted file. */
  bytes: number;
  /** Hex SHA-256 of the encrypted file. */
  sha256?: string;
  startedAt: Date;
  endedAt: Date;
}

export interface Recorder {
  readonly id: string;
  /** The agent leg now heard on the right channel (a transfer changes it); undefined: nobody. */
  setAgent(media: MediaSession | undefined): void;
  /** Writes what is left as the last chunk and closes the file. Calling it again gives the same file. */
  stop(): Promise<RecordingFile>;
}

const SLOT_MS = 20;
const SLOT_SAMPLES = 160;
const SLOTS_PER_CHUNK = 50;
/** What one channel may hold waiting for its slot (1 s); older audio is dropped past that. */
const MAX_QUEUED_SAMPLES = 8000;

/** One channel's received samples waiting for their slots. */
class ChannelQueue {
  private frames: Int16Array[] = [];
  private offset = 0;
  size = 0;

  push(pcm: Int16Array): void {
    // Listeners may share the frame, and the worker engine reuses nothing: copy to own it.
    this.frames.push(Int16Array.from(pcm));
    this.size += pcm.length;
    while (this.size > MAX_QUEUED_SAMPLES) {
      const head = this.frames[0]!;
      const drop = Math.min(head.length - this.offset, this.size - MAX_QUEUED_SAMPLES);
      this.offset += drop;
      this.size -= drop;
      if (this.offset === head.length) {
        this.frames.shift();
        this.offset = 0;
      }
    }
  }

  clear(): void {
    this.frames = [];
    this.offset = 0;
    this.size = 0;
  }

  /**
   * Takes one slot's samples into `out` (interleaved, at `channel`). A slot takes audio only when a
   * whole slot has arrived (or `drain`): a late packet then falls into the next slot, a missing one
   * leaves silence, and packets of other sizes (30 ms) still line up.
   */
  take(out: DataView, slot: number, channel: number, drain: boolean): void {
    if (this.size === 0 || (this.size < SLOT_SAMPLES && !drain)) return;
    const n = Math.min(SLOT_SAMPLES, this.size);
    let base = slot * SLOT_SAMPLES * RECORDING_CHANNELS;
    for (let i = 0; i < n; i++) {
      const head = this.frames[0]!;
      out.setInt16((base + channel) * 2, head[this.offset++]!, true);
      base += RECORDING_CHANNELS;
      if (this.offset === head.length) {
        this.frames.shift();
        this.offset = 0;
      }
    }
    this.size -= n;
  }
}

/** Starts recording `input.customer` at once; the agent joins with `setAgent`. */
export function startRecording(deps: RecorderDeps, input: { id: string; customer: MediaSession }): Recorder {
  const now = deps.now ?? (() => performance.timeOrigin + performance.now());
  const writer = new RecordingFileWriter(deps.dir, input.id, deps.cipher, deps.logger);
  const startedAt = new Date();
  const t0 = now();
  const left = new ChannelQueue();
  const right = new ChannelQueue();
  const chunkBytes = SLOTS_PER_CHUNK * SLOT_SAMPLES * RECORDING_CHANNELS * 2;
  let chunk = new Uint8Array(chunkBytes);
  let view = new DataView(chunk.buffer);
  let slotInChunk = 0;
  let slots = 0;

  const stopCustomer = input.customer.onAudio((pcm) => left.push(pcm));
  let stopAgent: (() => void) | undefined;

  function emitSlot(drain: boolean): void {
    left.take(view, slotInChunk, 0, drain);
    right.take(view, slotInChunk, 1, drain);
    slots++;
    if (++slotInChunk === SLOTS_PER_CHUNK) {
      writer.append(chunk);
      chunk = new Uint8Array(chunkBytes);
      view = new DataView(chunk.buffer);
      slotInChunk = 0;
    }
  }

  /** Every slot the clock has reached; after a stall, as many as were missed (the queues held them). */
  function catchUp(): void {
    const due = Math.floor((now() - t0) / SLOT_MS);
    while (slots < due) emitSlot(false);
  }

  const timer = setInterval(catchUp, SLOT_MS);
  let stopped: Promise<RecordingFile> | undefined;

  const recorder: Recorder = {
    id: input.id,
    setAgent(media) {
      if (stopped) return;
      stopAgent?.();
      stopAgent = undefined;
      // The previous agent's unplayed audio belongs to them, not to whoever comes next.
      right.clear();
      if (media) stopAgent = media.onAudio((pcm) => right.push(pcm));
    },
    stop() {
      if (!stopped) {
        clearInterval(timer);
        stopCustomer();
        stopAgent?.();
        catchUp();
        while (left.size > 0 || right.size > 0) emitSlot(true);
        const endedAt = new Date();
        stopped = writer
          .finish(chunk.subarray(0, slotInChunk * SLOT_SAMPLES * RECORDING_CHANNELS * 2))
          .then((written) => ({
            id: input.id,
            path: written.path,
            wrappedKey: writer.wrappedKey,
            durationMs: slots * SLOT_MS,
            bytes: written.bytes,
            sha256: written.sha256,
            startedAt,
            endedAt,
          }));
      }
      return stopped;
    },
  };
  // A call that ends without `stop()` (an error path) must not leave a timer writing silence forever.
  input.customer.onReleased(() => {
    recorder
      .stop()
      .catch((err: unknown) =>
        deps.logger.error({ err, recording: input.id }, 'recording: closing after the call ended failed'),
      );
  });
  return recorder;
}
