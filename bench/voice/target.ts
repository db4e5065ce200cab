// What the voice benchmark dials: a server on a SIP port, the sipp scenario that calls it, and what it
// can tell about its calls. Here the two baselines — Switchboard's voice stack alone with a trivial
// handler (answer, loop a tone) and a bare `sip` answerer; the whole product through the IVR into the
// queue is in ivr-target.ts.
import pino from 'pino';
import { startVoice, tone, type Voice } from '../../src/voice/index.js';
import type { RateLimit } from '../../src/voice/sip/index.js';
import { startBareAnswerer } from './bare-answerer.js';

/** What reached the queue so far (totals; a step reports the difference). */
export interface QueueCounts {
  /** Routing tasks on the voice channel: the IVR's enqueue node ran. */
  tasks: number;
  /** `call.queued` events: the voice centre took the call into the queue (announcements, music). */
  queuedEvents: number;
  /** Customers: each call comes from a new number, so each should make one. */
  customers: number;
  /** Prompts synthesized by the speech worker (each distinct announcement text once). */
  synthesized: number;
}

export interface Target {
  label: string;
  port: number;
  voice: Voice | undefined;
  /** sipp arguments naming the scenario (and its data) for the next `calls` calls. */
  scenario(calls: number): string[];
  /** Calls up now: answered, or (through the IVR) waiting in the queue. */
  active(): number;
  /** Calls a hold ramps up per second (the IVR's setups are slower than a bare answer). */
  rampRate: number;
  /** Through the IVR: what reached the queue so far. */
  counts?(): Promise<QueueCounts>;
  /** Waits (bounded) until the last step's calls and the work they caused are done; false if not. */
  settle?(): Promise<boolean>;
  /** What the server logged at warn and above: message → count. */
  warnings?: Map<string, number>;
  close(): Promise<void>;
}

/** sipp is one source address: the per-source limits would stop the load generator. */
export const UNLIMITED: RateLimit = { perSecond: 100_000, burst: 100_000 };
export const MAX_CALLS = 20_000;

export const SWITCHBOARD = 'Switchboard';
export const INLINE = 'Switchboard, media on the main thread';

const uac = () => ['-sn', 'uac'];

/** Switchboard's voice stack alone: every call answered and a 440 Hz prompt looped. */
export async function startSwitchboard(mediaThread: 'worker' | 'inline'): Promise<Target> {
  const voice = await startVoice(
    {
      sipHost: '127.0.0.1',
      sipPort: 0,
      publicAddress: undefined,
      rtpPortMin: 20000,
      rtpPortMax: 29999,
      inviteRate: UNLIMITED,
      errorRate: UNLIMITED,
      maxCalls: MAX_CALLS,
      mediaThread,
    },
    pino({ level: 'warn' }),
  );
  if (!voice) throw new Error('voice did not start');
  const prompt = tone(440, 2000);
  voice.calls.onCall(async (call) => {
    await call.answer();
    void call.play(prompt, { loop: true });
  });
  return {
    label: mediaThread === 'worker' ? SWITCHBOARD : INLINE,
    port: voice.sipPort,
    voice,
    scenario: uac,
    active: () => voice.calls.calls.filter((c) => c.state === 'answered').length,
    rampRate: 100,
    close: () => voice.close(),
  };
}

export async function startBare(): Promise<Target> {
  const bare = await startBareAnswerer();
  return {
    label: 'bare `sip` answerer',
    port: bare.port,
    voice: undefined,
    scenario: uac,
    active: () => 0,
    rampRate: 100,
    close: async () => bare.close(),
  };
}
