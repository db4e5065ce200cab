/**
 * Typing rhythm for identity matching: the time from one key press to the next (flight) and how
 * long each key is held (dwell), in ms. Which key was pressed is never kept or sent: `code` only
 * pairs a press with its release for a moment. Pauses over 1.5 s are thinking, not rhythm.
 */
export interface RhythmSample {
  flights: number[];
  dwells: number[];
}

const MAX_GAP_MS = 1500;
const MAX_SAMPLES = 400;

export class RhythmRecorder {
  private lastDown = 0;
  private readonly down = new Map<string, number>();
  private flights: number[] = [];
  private dwells: number[] = [];

  attach(input: HTMLElement): void {
    input.addEventListener('keydown', (e) => {
      if (e.isComposing || e.repeat) return;
      const now = performance.now();
      if (this.lastDown && now - this.lastDown < MAX_GAP_MS && this.flights.length < MAX_SAMPLES)
        this.flights.push(Math.round(now - this.lastDown));
      this.lastDown = now;
      this.down.set(e.code, now);
    });
    input.addEventListener('keyup', (e) => {
      const at = this.down.get(e.code);
      this.down.delete(e.code);
      if (at !== undefined && this.dwells.length < MAX_SAMPLES)
        this.dwells.push(Math.round(performance.now() - at));
    });
  }

  /** The timings since the last message; too few to say anything → undefined. */
  take(): RhythmSample | undefined {
    const sample = { flights: this.flights, dwells: this.dwells };
    this.flights = [];
    this.dwells = [];
    this.lastDown = 0;
    this.down.clear();
    return sample.flights.length + sample.dwells.length >= 10 ? sample : undefined;
  }
}
