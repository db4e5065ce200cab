// The embedded engine run in a worker thread, behind the same MediaEngine interface: RTP sockets, the
// 20 ms tick and the packets all live on the worker, so a slow database query or a burst of SIP on the
// main thread does not make every call's audio late.
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startTsWorker } from '../../core/ts-worker.js';
import type { AudioClip } from './audio.js';
import {
  type MediaEngine,
  type MediaEngineStats,
  type MediaSession,
  type Mixer,
  NoMediaPorts,
  type Playback,
  type PlayEnd,
  type PlayOptions,
  type SessionStats,
} from './contract.js';
import type { DtmfEvent } from './dtmf.js';
import type { RemoteMedia } from './sdp.js';
import type { Command, Reply, WorkerOptions } from './worker-protocol.js';

export interface WorkerMediaOptions extends Omit<WorkerOptions, 'logLevel'> {
  logger: Logger;
}

export async function createWorkerMediaEngine(options: WorkerMediaOptions): Promise<MediaEngine> {
  const { logger, ...rest } = options;
  const host = new Host({ ...rest, logLevel: logger.level }, logger);
  await host.start();
  return host;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

class Host implements MediaEngine {
  readonly kind = 'embedded (worker thread)';
  readonly sessions = new Map<string, ProxySession>();
  private readonly pending = new Map<number, Pending>();
  private nextReq = 1;
  /** Clips the current worker has (a restarted worker starts with none). */
  private clipIds = new WeakMap<AudioClip, number>();
  private nextClip = 1;
  private nextMixer = 1;
  private readonly clipsGone = new FinalizationRegistry<number>((clip) =>
    this.post({ op: 'dropClip', clip }),
  );
  private worker: Worker | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly workerData: WorkerOptions,
    private readonly logger: Logger,
  ) {}

  /** Starts the worker, or a new one after the last died (its calls lost their audio; new calls get it). */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('media engine closed'));
    if (this.worker) return Promise.resolve();
    this.starting ??= new Promise<void>((resolve, reject) => {
      const worker = startTsWorker(new URL('./worker-main.ts', import.meta.url), 'media worker', {
        workerData: this.workerData,
      });
      worker.unref();
      let up = false;
      const die = (err: Error) => {
        if (!up) reject(err);
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.clipIds = new WeakMap();
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        for (const session of this.sessions.values()) session.gone({ ...ZERO });
        this.sessions.clear();
      };
      worker.on('message', (reply: Reply) => {
        if (reply.ev !== 'ready') this.receive(reply);
        else {
          up = true;
          this.worker = worker;
          this.starting = undefined;
          resolve();
        }
      });
      worker.on('error', (err) => {
        this.logger.error(
          { err },
          'media worker failed: its calls lost their audio; the next call starts another',
        );
        die(err);
      });
      worker.on('exit', (code) => die(new Error(`media worker exited (${code})`)));
    }).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  post(command: Command): void {
    this.worker?.postMessage(command);
  }

  async request<T>(make: (req: number) => Command): Promise<T> {
    await this.start();
    const worker = this.worker;
    if (!worker) throw new Error('media worker is not running');
    const req = this.nextReq++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(req, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage(make(req));
    });
  }

  /** The clip's id on the worker; its samples cross once. */
  clipId(clip: AudioClip): number {
    let id = this.clipIds.get(clip);
    if (id === undefined) {
      id = this.nextClip++;
      this.clipIds.set(clip, id);
      this.clipsGone.register(clip, id);
      this.post({ op: 'clip', clip: id, samples: clip.samples, encoded: clip.encoded });
    }
    return id;
  }

  async allocate(): Promise<MediaSession> {
    try {
      const { id, port } = await this.request<{ id: string; port: number }>((req) => ({
        op: 'allocate',
        req,
      }));
      const session = new ProxySession(id, port, this);
      this.sessions.set(id, session);
      return session;
    } catch (err) {
      if (err instanceof NoPortsReply) throw new NoMediaPorts();
      throw err;
    }
  }

  createMixer(): Mixer {
    return new ProxyMixer(`mix-${this.nextMixer++}`, this);
  }

  stats(): Promise<MediaEngineStats> {
    return this.request((req) => ({ op: 'stats', req }));
  }

  async resetTimerStats(): Promise<void> {
    await this.request((req) => ({ op: 'resetTimer', req }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    if (worker) await this.request((req) => ({ op: 'close', req })).catch(() => {});
    this.closed = true;
    this.worker = undefined;
    await worker?.terminate();
  }

  private receive(reply: Reply): void {
    switch (reply.ev) {
      case 'reply': {
        const p = this.pending.get(reply.req);
        this.pending.delete(reply.req);
        p?.resolve(reply.value);
        return;
      }
      case 'failed': {
        const p = this.pending.get(reply.req);
        this.pending.delete(reply.req);
        p?.reject(reply.noPorts ? new NoPortsReply(reply.message) : new Error(reply.message));
        return;
      }
      case 'dtmf':
        this.sessions.get(reply.session)?.dtmf(reply.event);
        return;
      case 'audio':
        this.sessions.get(reply.session)?.audio(reply.pcm);
        return;
      case 'played':
        this.sessions.get(reply.session)?.played(reply.play, reply.end);
        return;
      case 'released': {
        const s = this.sessions.get(reply.session);
        this.sessions.delete(reply.session);
        s?.gone(reply.stats);
        return;
      }
    }
  }
}

class NoPortsReply extends Error {}

const ZERO: SessionStats = {
  packetsSent: 0,
  packetsReceived: 0,
  packetsRejected: 0,
  dtmfReceived: 0,
  framesPlayed: 0,
};

/** A session on the worker, seen from the main thread. */
class ProxySession implements MediaSession {
  released = false;
  private peer: ProxySession | undefined;
  /** Kept in step with the worker's: the worker moves sessions in and out of mixers by the same rules. */
  mixer: ProxyMixer | undefined;
  private nextPlay = 1;
  private readonly plays = new Map<number, (end: PlayEnd) => void>();
  private readonly dtmfListeners = new Set<(event: DtmfEvent) => void>();
  private readonly audioListeners = new Set<(pcm: Int16Array) => void>();
  private finalStats: SessionStats | undefined;
  private finalWaiters: ((s: SessionStats) => void)[] = [];
  private releasedListeners: (() => void)[] = [];

  constructor(
    readonly id: string,
    readonly localPort: number,
    private readonly host: Host,
  ) {}

  get bridgedTo(): MediaSession | undefined {
    return this.peer;
  }

  connect(remote: RemoteMedia): void {
    if (!this.released) this.host.post({ op: 'connect', session: this.id, remote });
  }

  play(clip: AudioClip, options: PlayOptions = {}): Playback {
    if (this.released) return { done: Promise.resolve('released'), stop: () => {} };
    const play = this.nextPlay++;
    const done = new Promise<PlayEnd>((resolve) => this.plays.set(play, resolve));
    this.host.post({
      op: 'play',
      session: this.id,
      play,
      clip: this.host.clipId(clip),
      loop: options.loop === true,
    });
    return { done, stop: () => this.host.post({ op: 'stopPlay', session: this.id, play }) };
  }

  stopPlayback(): void {
    this.host.post({ op: 'stopPlayback', session: this.id });
  }

  onDtmf(listener: (event: DtmfEvent) => void): () => void {
    this.dtmfListeners.add(listener);
    return () => this.dtmfListeners.delete(listener);
  }

  onAudio(listener: (pcm: Int16Array) => void): () => void {
    this.audioListeners.add(listener);
    if (this.audioListeners.size === 1) this.host.post({ op: 'audio', session: this.id, on: true });
    return () => {
      if (this.audioListeners.delete(listener) && this.audioListeners.size === 0)
        this.host.post({ op: 'audio', session: this.id, on: false });
    };
  }

  bridge(other: MediaSession): void {
    if (!(other instanceof ProxySession) || other === this || this.released || other.released)
      throw new Error('can only bridge two live sessions of the same engine');
    this.mixer?.drop(this);
    other.mixer?.drop(other);
    this.peer?.forget();
    other.peer?.forget();
    this.peer = other;
    other.peer = this;
    this.host.post({ op: 'bridge', session: this.id, other: other.id });
  }

  unbridge(): void {
    if (!this.peer) return;
    this.peer.forget();
    this.forget();
    this.host.post({ op: 'unbridge', session: this.id });
  }

  stats(): Promise<SessionStats> {
    if (this.finalStats) return Promise.resolve(this.finalStats);
    if (this.released) return new Promise((resolve) => this.finalWaiters.push(resolve));
    return this.host
      .request<SessionStats | null>((req) => ({ op: 'sessionStats', req, session: this.id }))
      .then((s) => s ?? this.finalStats ?? { ...ZERO });
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.peer?.forget();
    this.forget();
    this.mixer?.drop(this);
    this.host.post({ op: 'release', session: this.id });
    this.endPlays('released');
    this.dtmfListeners.clear();
    this.audioListeners.clear();
    this.notifyReleased();
  }

  onReleased(listener: () => void): void {
    if (this.released) listener();
    else this.releasedListeners.push(listener);
  }

  private notifyReleased(): void {
    for (const listener of this.releasedListeners.splice(0)) listener();
  }

  forget(): void {
    this.peer = undefined;
  }

  /** Joining a mixer: out of the bridge (both sides) and any other mixer, as the worker does. */
  leaveForMixer(): void {
    this.peer?.forget();
    this.forget();
    this.mixer?.drop(this);
  }

  dtmf(event: DtmfEvent): void {
    for (const listener of this.dtmfListeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is the listener's; the others still hear the digit.
      }
    }
  }

  audio(pcm: Int16Array): void {
    for (const listener of this.audioListeners) listener(pcm);
  }

  played(play: number, end: PlayEnd): void {
    const resolve = this.plays.get(play);
    this.plays.delete(play);
    resolve?.(end);
  }

  /** The worker released it (or died): final counters, every playback ended. */
  gone(stats: SessionStats): void {
    this.released = true;
    this.peer?.forget();
    this.forget();
    this.mixer?.drop(this);
    this.finalStats = stats;
    this.endPlays('released');
    for (const w of this.finalWaiters.splice(0)) w(stats);
    this.notifyReleased();
  }

  private endPlays(end: PlayEnd): void {
    for (const resolve of this.plays.values()) resolve(end);
    this.plays.clear();
  }
}

/** A mixer on the worker, seen from the main thread: the worker makes it when its first member joins. */
class ProxyMixer implements Mixer {
  private readonly list: ProxySession[] = [];
  closed = false;

  constructor(
    readonly id: string,
    private readonly host: Host,
  ) {}

  get members(): readonly MediaSession[] {
    return this.list;
  }

  add(session: MediaSession): void {
    if (!(session instanceof ProxySession) || session.released || this.closed)
      throw new Error('a mixer takes live sessions of its own engine, until it is closed');
    if (session.mixer === this) return;
    session.leaveForMixer();
    session.mixer = this;
    this.list.push(session);
    this.host.post({ op: 'mixerAdd', mixer: this.id, session: session.id });
  }

  remove(session: MediaSession): void {
    if (!(session instanceof ProxySession) || session.mixer !== this) return;
    this.drop(session);
    this.host.post({ op: 'mixerRemove', mixer: this.id, session: session.id });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const session of [...this.list]) this.drop(session);
    this.host.post({ op: 'mixerClose', mixer: this.id });
  }

  /** Main-thread bookkeeping only (the worker did or will do the same on its side). */
  drop(session: ProxySession): void {
    const i = this.list.indexOf(session);
    if (i >= 0) this.list.splice(i, 1);
    if (session.mixer === this) session.mixer = undefined;
  }
}
