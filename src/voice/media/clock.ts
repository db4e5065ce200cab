// The one media timer: every 20 ms it runs each session's tick, instead of a timer per call. Deadlines
// are absolute (start + n·20 ms), so lateness does not accumulate; how late each tick ran is recorded.
import { FRAME_MS } from './audio.js';
import { LatenessHistogram } from './histogram.js';

/** A session's part of a tick: `frames` is how many 20 ms periods are due (more than 1 after a stall). */
export type TickHandler = (frames: number, now: number) => void;

/** Ticks later than this many periods skip the missed frames instead of bursting them out. */
const MAX_CATCH_UP = 3;

export class MediaClock {
  readonly lateness = new LatenessHistogram(FRAME_MS);
  private readonly handlers = new Set<TickHandler>();
  private due = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Handlers that threw (they are kept: one bad session must not silence the others). */
  errors = 0;

  constructor(
    private readonly onError: (err: unknown) => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(handler: TickHandler): void {
    this.handlers.add(handler);
    if (!this.timer) {
      this.due = this.now() + FRAME_MS;
      this.arm();
    }
  }

  remove(handler: TickHandler): void {
    this.handlers.delete(handler);
    if (this.handlers.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  get size(): number {
    return this.handlers.size;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.handlers.clear();
  }

  private arm(): void {
    this.timer = setTimeout(this.tick, Math.max(0, this.due - this.now()));
  }

  private readonly tick = (): void => {
    const now = this.now();
    const late = now - this.due;
    if (late < -1) {
      // Timers fire on whole milliseconds; more than one early, wait the rest.
      this.arm();
      return;
    }
    this.lateness.record(late);
    let frames = 1 + Math.max(0, Math.floor(late / FRAME_MS));
    if (frames > MAX_CATCH_UP) {
      this.due = now;
      frames = 1;
    }
    this.due += frames * FRAME_MS;
    for (const handler of this.handlers) {
      try {
        handler(frames, now);
      } catch (err) {
        this.errors++;
        this.onError(err);
      }
    }
    if (this.handlers.size > 0) this.arm();
    else this.timer = undefined;
  };
}
