import { ManualClock } from '../../core/index.js';
import { CallerHungUp, type CollectOptions, type IvrCall } from './engine.js';
import type { AttributeValue, Prompt } from './flow.js';

/**
 * A call that exists only as a script: the admin's simulator and the tests run flows on it. Each
 * collect takes the next entry of the script ('' or a script that has run out = silence until the
 * timeout; "hangup" = the caller hangs up then). Time moves on a manual clock by what a real call
 * would take: a prompt's length (estimated from its text unless told), a key press, a timeout.
 */
export const HANG_UP = 'hangup';

/** A rough reading time: Mandarin about 4 characters a second, English about 15. */
export function estimatePromptMs(prompt: Prompt): number {
  if ('audioId' in prompt) return 3000;
  const rate = (prompt.rate ?? 175) / 175;
  const han = (prompt.text.match(/[\u3400-\u9fff]/g) ?? []).length;
  const other = prompt.text.length - han;
  return Math.round((han * 250 + other * 65) / rate);
}

export const KEY_PRESS_MS = 300;

export interface ScriptedCallOptions {
  script: readonly string[];
  clock?: ManualClock | undefined;
  /** How long a prompt plays; default: estimatePromptMs. */
  promptMs?: ((prompt: Prompt) => number) | undefined;
}

export class ScriptedCall implements IvrCall {
  readonly clock: ManualClock;
  readonly played: Prompt[] = [];
  readonly attributes: Record<string, AttributeValue> = {};
  hungUp: string | undefined;
  private next = 0;
  private readonly promptMs: (prompt: Prompt) => number;

  constructor(private readonly options: ScriptedCallOptions) {
    this.clock = options.clock ?? new ManualClock(0);
    this.promptMs = options.promptMs ?? estimatePromptMs;
  }

  async play(prompt: Prompt): Promise<void> {
    this.played.push(prompt);
    this.clock.advance(this.promptMs(prompt));
  }

  async collectDigits(o: CollectOptions): Promise<string> {
    const entry = this.options.script[this.next++] ?? '';
    if (entry === HANG_UP) {
      this.clock.advance(KEY_PRESS_MS);
      throw new CallerHungUp();
    }
    if (entry === '') {
      this.clock.advance(o.timeoutMs);
      return '';
    }
    this.clock.advance(KEY_PRESS_MS * entry.length);
    return entry;
  }

  async hangup(cause: string): Promise<void> {
    this.hungUp = cause;
  }

  setAttribute(name: string, value: AttributeValue): void {
    this.attributes[name] = value;
  }

  /** Entries of the script the flow did not ask for. */
  get unused(): number {
    return Math.max(0, this.options.script.length - this.next);
  }
}
