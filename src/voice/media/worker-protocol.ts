// Messages between call control's thread and the media worker (worker-engine.ts ⇄ worker-main.ts).
import type { Codec } from './audio.js';
import type { MediaEngineStats, PlayEnd, SessionStats } from './contract.js';
import type { DtmfEvent } from './dtmf.js';
import type { RemoteMedia } from './sdp.js';

export interface WorkerOptions {
  host: string;
  portMin: number;
  portMax: number;
  logLevel: string;
  sendSilence?: boolean;
  latchWindowMs?: number;
}

export type Command =
  | { op: 'allocate'; req: number }
  | { op: 'connect'; session: string; remote: RemoteMedia }
  /** A clip, once, before its first play: PCM and whatever encodings the caller already had. */
  | { op: 'clip'; clip: number; samples: Int16Array; encoded: Partial<Record<Codec, Uint8Array>> }
  | { op: 'dropClip'; clip: number }
  | { op: 'play'; session: string; play: number; clip: number; loop: boolean }
  | { op: 'stopPlay'; session: string; play: number }
  | { op: 'stopPlayback'; session: string }
  | { op: 'audio'; session: string; on: boolean }
  | { op: 'bridge'; session: string; other: string }
  | { op: 'unbridge'; session: string }
  /** The worker makes the mixer on its first member (a restarted worker has none). */
  | { op: 'mixerAdd'; mixer: string; session: string }
  | { op: 'mixerRemove'; mixer: string; session: string }
  | { op: 'mixerClose'; mixer: string }
  | { op: 'release'; session: string }
  | { op: 'sessionStats'; req: number; session: string }
  | { op: 'stats'; req: number }
  | { op: 'resetTimer'; req: number }
  | { op: 'close'; req: number };

export type Reply =
  | { ev: 'ready' }
  | { ev: 'reply'; req: number; value: { id: string; port: number } | SessionStats | MediaEngineStats | null }
  | { ev: 'failed'; req: number; message: string; noPorts: boolean }
  | { ev: 'dtmf'; session: string; event: DtmfEvent }
  | { ev: 'audio'; session: string; pcm: Int16Array }
  | { ev: 'played'; session: string; play: number; end: PlayEnd }
  | { ev: 'released'; session: string; stats: SessionStats };
