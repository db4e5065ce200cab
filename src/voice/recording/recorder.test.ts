import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createCipher } from '../../security/index.js';
import { encodedClip, tone } from '../media/audio.js';
import type { MediaEngine, MediaSession } from '../media/contract.js';
import { createEmbeddedMediaEngine } from '../media/engine.js';
import { encodeRtp } from '../media/rtp.js';
import type { RemoteMedia } from '../media/sdp.js';
import { createWorkerMediaEngine } from '../media/worker-engine.js';
import { readRecording } from './format.js';
import { startRecording } from './recorder.js';

const logger = pino({ level: 'silent' });
const cipher = createCipher(Buffer.alloc(32, 3));
const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function workerEngine(): Promise<MediaEngine> {
  const min = 32000 + Math.floor(Math.random() * 1000) * 20;
  const e = await createWorkerMediaEngine({
    host: '127.0.0.1',
    portMin: min,
    portMax: min + 19,
    logger,
    sendSilence: false,
  });
  cleanup.push(() => e.close());
  return e;
}

async function engine(): Promise<MediaEngine> {
  const min = 32000 + Math.floor(Math.random() * 1000) * 20;
  const e = createEmbeddedMediaEngine({
    host: '127.0.0.1',
    portMin: min,
    portMax: min + 19,
    logger,
    sendSilence: false,
  });
  cleanup.push(() => e.close());
  return e;
}

const remote = (port: number): RemoteMedia => ({
  address: '127.0.0.1',
  port,
  codec: 'PCMU',
  payloadType: 0,
  dtmfPayloadType: 101,
  direction: 'sendrecv',
});

/** A phone: a UDP socket that streams a tone as 20 ms PCMU packets to a session, paced like a phone. */
async function phone(session: MediaSession, frequency: number) {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  cleanup.push(() => {
    socket.close();
  });
  session.connect(remote(socket.address().port));
  const bytes = encodedClip(tone(frequency, 20_000), 'PCMU');
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      timer = setInterval(() => {
        const at = (seq * 160) % (bytes.length - 160);
        socket.send(
          encodeRtp(
            {
              payloadType: 0,
              marker: seq === 0,
              sequence: seq & 0xffff,
              timestamp: seq * 160,
              ssrc: frequency,
            },
            bytes.subarray(at, at + 160),
          ),
          session.localPort,
          '127.0.0.1',
        );
        seq++;
      }, 20);
      cleanup.push(() => clearInterval(timer));
    },
    stop: () => clearInterval(timer),
  };
}

/** Goertzel power of `frequency` in a frame. */
function power(frame: Int16Array, frequency: number): number {
  const k = 2 * Math.cos((2 * Math.PI * frequency) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (const x of frame) {
    const s = x + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/** Each 20 ms slot of one channel: the strongest of `tones`, or 'silence'. */
function slotsOf(channel: Int16Array, tones: number[]): (number | 'silence')[] {
  const out: (number | 'silence')[] = [];
  for (let at = 0; at + 160 <= channel.length; at += 160) {
    const frame = channel.subarray(at, at + 160);
    const energy = frame.reduce((sum, x) => sum + x * x, 0);
    if (energy < 160 * 100 * 100) {
      out.push('silence');
      continue;
    }
    const best = tones.map((f) => [f, power(frame, f)] as const).sort((a, b) => b[1] - a[1])[0]!;
    out.push(best[0]);
  }
  return out;
}

function channels(wav: Buffer): { left: Int16Array; right: Int16Array } {
  const data = wav.subarray(44);
  const n = data.length / 4;
  const left = new Int16Array(n);
  const right = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    left[i] = data.readInt16LE(i * 4);
    right[i] = data.readInt16LE(i * 4 + 2);
  }
  return { left, right };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'sbrec-rec-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('the call recorder', () => {
  it.each([
    ['in this thread', engine],
    ['in a worker thread', workerEngine],
  ])(
    'puts the customer on the left and the agent on the right; after setAgent, the new agent (media %s)',
    async (_, make) => {
      const media = await make();
      const [customerLeg, agentLeg, nextAgentLeg] = [
        await media.allocate(),
        await media.allocate(),
        await media.allocate(),
      ];
      const customer = await phone(customerLeg, 440);
      const agent = await phone(agentLeg, 1000);
      const nextAgent = await phone(nextAgentLeg, 1700);
      const dir = tempDir();
      const recorder = startRecording({ dir, cipher, logger }, { id: 'call-1', customer: customerLeg });
      recorder.setAgent(agentLeg);
      customer.start();
      agent.start();
      nextAgent.start();
      await wait(700);
      // A transfer: the first agent's phone keeps sending, but is no longer the call's agent.
      recorder.setAgent(nextAgentLeg);
      await wait(700);
      customer.stop();
      agent.stop();
      nextAgent.stop();
      await wait(60);
      const file = await recorder.stop();

      expect(file.path).toBe(path.join(dir, 'call-1.sbrec'));
      expect(file.bytes).toBe(readFileSync(file.path).length);
      const wav = readRecording(readFileSync(file.path), file.wrappedKey, cipher, 'call-1');
      const { left, right } = channels(wav);
      expect(file.durationMs).toBe((left.length / 8000) * 1000);
      const tones = [440, 1000, 1700];
      const leftAll = slotsOf(left, tones);
      const rightAll = slotsOf(right, tones);
      // Both phones started together: their audio starts in (nearly) the same 20 ms slot.
      const firstHeard = (slots: (number | 'silence')[]) => slots.findIndex((s) => s !== 'silence');
      expect(Math.abs(firstHeard(leftAll) - firstHeard(rightAll))).toBeLessThanOrEqual(5);
      const leftSlots = leftAll.filter((s) => s !== 'silence');
      const rightSlots = rightAll.filter((s) => s !== 'silence');
      expect(leftSlots.length).toBeGreaterThan(20);
      expect(new Set(leftSlots)).toEqual(new Set([440]));
      expect(rightSlots).toContain(1000);
      expect(rightSlots).toContain(1700);
      expect(rightSlots).not.toContain(440);
      // Once the agent changed, the first agent is not heard again.
      expect(rightSlots.lastIndexOf(1000)).toBeLessThan(rightSlots.indexOf(1700));
      // The stop is idempotent: the same file.
      expect(await recorder.stop()).toBe(file);
    },
  );

  it('a recording with no audio is a valid, silent file', async () => {
    const media = await engine();
    const leg = await media.allocate();
    const recorder = startRecording({ dir: tempDir(), cipher, logger }, { id: 'quiet', customer: leg });
    await wait(50);
    const file = await recorder.stop();
    const { left, right } = channels(readRecording(readFileSync(file.path), file.wrappedKey, cipher));
    expect(left.every((x) => x === 0) && right.every((x) => x === 0)).toBe(true);
  });

  it('closes the file when the customer leg is released without a stop', async () => {
    const media = await engine();
    const leg = await media.allocate();
    const customer = await phone(leg, 440);
    const recorder = startRecording({ dir: tempDir(), cipher, logger }, { id: 'hungup', customer: leg });
    customer.start();
    await wait(200);
    leg.release();
    customer.stop();
    const file = await recorder.stop();
    const { left } = channels(readRecording(readFileSync(file.path), file.wrappedKey, cipher));
    expect(slotsOf(left, [440]).filter((s) => s === 440).length).toBeGreaterThan(3);
  });

  it('refuses an id that is not a safe file name', () => {
    const leg = { onAudio: () => () => {}, onReleased: () => {} } as unknown as MediaSession;
    expect(() =>
      startRecording({ dir: tempDir(), cipher, logger }, { id: '../escape', customer: leg }),
    ).toThrow(/safe file name/);
  });
});
