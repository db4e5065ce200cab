// What a caller hears while waiting for an agent: their place in the queue and the expected wait,
// spoken in the call's language, then music, again and again until an agent takes the call or the
// caller presses 1 for a call back (when the queue offers it).
import type { Leg } from '../leg.js';
import { type AudioClip, createClip, SAMPLE_RATE } from '../media/index.js';

export interface QueueStanding {
  position: number | undefined;
  estimatedWaitSeconds: number | undefined;
}

export interface TreatmentOptions {
  language: 'zh-CN' | 'en';
  /** Where the caller stands now (asked before every announcement). */
  standing(): Promise<QueueStanding>;
  /** Speaks a text as the caller hears it (the prompt service, cached). */
  speak(text: string, language: 'zh-CN' | 'en'): Promise<AudioClip>;
  /** Music between announcements, ms (default 20 s). */
  musicMs?: number;
  /** Offer "press 1 to be called back"; `onCallback` runs when the caller does. */
  offerCallback?: boolean;
  onCallback?: () => void;
  warn(context: Record<string, unknown>, message: string): void;
}

/** Callers ahead and minutes of wait above these are announced as "more than …". */
const MAX_AHEAD = 50;
const MAX_MINUTES = 60;

/**
 * An announcement as pieces to speak one after another: the sentences are the same for every caller and
 * each number is a piece of its own, so the speech cache holds a handful of clips however many callers
 * wait (one text per queue position would synthesize once per caller).
 */
export function announcementParts(s: QueueStanding, language: 'zh-CN' | 'en', callback: boolean): string[] {
  // Beyond a point callers only need to know it is long; capping keeps the spoken numbers few.
  const rawMinutes =
    s.estimatedWaitSeconds === undefined ? undefined : Math.max(1, Math.round(s.estimatedWaitSeconds / 60));
  const minutes = rawMinutes === undefined ? undefined : Math.min(MAX_MINUTES, rawMinutes);
  const longWait = rawMinutes !== undefined && rawMinutes > MAX_MINUTES;
  const rawAhead = s.position === undefined ? undefined : s.position - 1;
  const ahead = rawAhead === undefined ? undefined : Math.min(MAX_AHEAD, rawAhead);
  const longLine = rawAhead !== undefined && rawAhead > MAX_AHEAD;
  if (language === 'zh-CN') {
    const parts = ['所有坐席正忙，请稍候。'];
    if (ahead !== undefined)
      parts.push(longLine ? '您前面还有超过' : '您前面还有', String(ahead), '位客户。');
    if (minutes !== undefined)
      parts.push(longWait ? '预计等待超过' : '预计等待约', String(minutes), '分钟。');
    if (callback) parts.push('如需回电，请按1，我们将保留您的排队位置。');
    return parts;
  }
  const parts = ['All our agents are busy. Please hold.'];
  if (s.position === 1) parts.push('You are next in line.');
  else if (longLine) parts.push('There are more than', String(MAX_AHEAD), 'callers ahead of you.');
  else if (s.position !== undefined) parts.push('You are number', String(s.position), 'in the queue.');
  if (minutes !== undefined)
    parts.push(
      longWait ? 'The expected wait is more than' : 'The expected wait is about',
      String(minutes),
      minutes === 1 ? 'minute.' : 'minutes.',
    );
  if (callback) parts.push('To be called back without losing your place, press 1.');
  return parts;
}

/** The announcement as one line (logs, tests). */
export function announcementText(s: QueueStanding, language: 'zh-CN' | 'en', callback: boolean): string {
  return announcementParts(s, language, callback).join(language === 'zh-CN' ? '' : ' ');
}

let music: AudioClip | undefined;

/**
 * A quiet arpeggio (C major, A minor, F, G) with soft attack and release: hold music made here, so
 * nothing is downloaded or licensed.
 */
export function holdMusic(): AudioClip {
  if (music) return music;
  const chords = [
    [261.63, 329.63, 392.0],
    [220.0, 261.63, 329.63],
    [174.61, 220.0, 261.63],
    [196.0, 246.94, 293.66],
  ];
  const noteMs = 250;
  const noteSamples = (noteMs / 1000) * SAMPLE_RATE;
  const notes = chords.flatMap((c) => [...c, c[1]!, ...c, c[1]!]);
  const out = new Int16Array(notes.length * noteSamples);
  notes.forEach((f, n) => {
    for (let i = 0; i < noteSamples; i++) {
      const env = Math.min(1, i / 200, (noteSamples - i) / 600);
      const t = i / SAMPLE_RATE;
      const v = Math.sin(2 * Math.PI * f * t) * 0.8 + Math.sin(4 * Math.PI * f * t) * 0.2;
      out[n * noteSamples + i] = Math.round(3000 * env * v);
    }
  });
  music = createClip(out);
  return music;
}

/** Runs the announcements and music on a leg until `stop()`; never throws. */
export class QueueTreatment {
  private stopped = false;
  private readonly done: Promise<void>;
  private offDtmf: (() => void) | undefined;

  constructor(
    private readonly leg: Leg,
    private readonly options: TreatmentOptions,
  ) {
    if (options.offerCallback) {
      const onDigit = (e: { digit: string }) => {
        if (e.digit === '1' && !this.stopped) options.onCallback?.();
      };
      leg.on('dtmf', onDigit);
      this.offDtmf = () => leg.off('dtmf', onDigit);
    }
    this.done = this.run();
  }

  get running(): boolean {
    return !this.stopped;
  }

  /** Stops at once (the current clip is cut) and resolves when the loop has left. */
  async stop(): Promise<void> {
    if (this.stopped) return this.done;
    this.stopped = true;
    this.offDtmf?.();
    this.leg.stopPlayback();
    await this.done;
  }

  private async run(): Promise<void> {
    const musicMs = this.options.musicMs ?? 20_000;
    const clip = holdMusic();
    const loops = Math.max(1, Math.round(musicMs / ((clip.samples.length / SAMPLE_RATE) * 1000)));
    while (!this.stopped && this.leg.state !== 'ended') {
      try {
        const standing = await this.options.standing();
        if (this.stopped) break;
        const parts = announcementParts(standing, this.options.language, this.options.offerCallback === true);
        const clips = await Promise.all(parts.map((p) => this.options.speak(p, this.options.language)));
        if (this.stopped) break;
        // Queued back to back on the media tick: no gap between the pieces.
        const played = await Promise.all(clips.map((c) => this.leg.play(c)));
        if (played.some((p) => p !== 'finished')) break;
        for (let i = 0; i < loops && !this.stopped; i++)
          if ((await this.leg.play(clip)) !== 'finished') break;
      } catch (err) {
        this.options.warn({ err, leg: this.leg.id }, 'voice: queue announcement failed; music only');
        if (this.stopped) break;
        if ((await this.leg.play(clip)) !== 'finished') break;
      }
    }
  }
}
