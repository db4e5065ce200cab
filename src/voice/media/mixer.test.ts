import dgram from 'node:dgram';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Codec, decodeFrame, encodeFrame, FRAME_SAMPLES, tone } from './audio.js';
import type { MediaEngine, MediaSession, Mixer } from './contract.js';
import { encodeTelephoneEvent } from './dtmf.js';
import { createEmbeddedMediaEngine } from './engine.js';
import { JitterBuffer } from './mixer.js';
import { encodeRtp, parseRtp, type RtpPacket } from './rtp.js';
import type { RemoteMedia } from './sdp.js';
import { createWorkerMediaEngine } from './worker-engine.js';

const logger = pino({ level: 'silent' });
const engines: MediaEngine[] = [];
const sockets: dgram.Socket[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const e of engines.splice(0)) await e.close();
  for (const s of sockets.splice(0)) s.close();
});

type Factory = (options: Parameters<typeof createEmbeddedMediaEngine>[0]) => Promise<MediaEngine>;
const ENGINES: [string, Factory][] = [
  ['in-thread', async (o) => createEmbeddedMediaEngine(o)],
  ['worker thread', (o) => createWorkerMediaEngine(o)],
];
let factory: Factory;

async function engine(ports = 20, log = logger): Promise<MediaEngine> {
  const min = 30000 + Math.floor(Math.random() * 90) * 320;
  const e = await factory({
    host: '127.0.0.1',
    portMin: min,
    portMax: min + ports - 1,
    logger: log,
    sendSilence: false,
  });
  engines.push(e);
  return e;
}

interface Received extends RtpPacket {
  at: number;
}

/** A phone on a plain UDP socket: what it receives (with arrival time), and a tone it can keep sending. */
interface Phone {
  port: number;
  codec: Codec;
  packets: Received[];
  send(b: Buffer, to: number): void;
  /** Sends the next 20 ms of its tone to `to` (a continuous sine across packets). */
  speak(to: number): void;
}

async function phone(frequency: number, codec: Codec = 'PCMU'): Promise<Phone> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  const packets: Received[] = [];
  socket.on('message', (msg) => {
    const p = parseRtp(new Uint8Array(msg));
    if (p) packets.push({ ...p, payload: new Uint8Array(p.payload), at: performance.now() });
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const samples = tone(frequency, 10_000).samples;
  let n = 0;
  const ssrc = 1000 + frequency;
  const send = (b: Buffer, to: number) => socket.send(b, to, '127.0.0.1');
  return {
    port: socket.address().port,
    codec,
    packets,
    send,
    speak(to) {
      const start = (n * FRAME_SAMPLES) % (samples.length - FRAME_SAMPLES);
      const payload = encodeFrame(codec, samples.subarray(start, start + FRAME_SAMPLES));
      const header = {
        payloadType: codec === 'PCMU' ? 0 : 8,
        marker: n === 0,
        sequence: n & 0xffff,
        timestamp: (n * FRAME_SAMPLES) >>> 0,
        ssrc,
      };
      n++;
      send(encodeRtp(header, payload), to);
    },
  };
}

const remote = (port: number, codec: Codec = 'PCMU'): RemoteMedia => ({
  address: '127.0.0.1',
  port,
  codec,
  payloadType: codec === 'PCMU' ? 0 : 8,
  dtmfPayloadType: 101,
  direction: 'sendrecv',
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every phone sends its tone to its session each 20 ms until the test ends. */
function talk(pairs: [Phone, MediaSession][]): void {
  timers.push(
    setInterval(() => {
      for (const [p, s] of pairs) p.speak(s.localPort);
    }, 20),
  );
}

/** Audio the phone received since `since` (ms, performance.now()), decoded. */
function heard(p: Phone, since: number, until = Number.POSITIVE_INFINITY): Int16Array {
  const frames = p.packets
    .filter((x) => x.at >= since && x.at < until && x.payloadType === (p.codec === 'PCMU' ? 0 : 8))
    .map((x) => decodeFrame(p.codec, x.payload));
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

/** Goertzel: the amplitude of `frequency` in the signal (a full-scale sine of amplitude A gives ≈ A). */
function amplitude(pcm: Int16Array, frequency: number): number {
  if (pcm.length === 0) return 0;
  const c = 2 * Math.cos((2 * Math.PI * frequency) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (const x of pcm) {
    const s0 = x + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2))) / pcm.length;
}

/** Three phones (400 and 1000 Hz PCMU, 1700 Hz PCMA) on three sessions in one mixer, all talking. */
async function conferenceOfThree(media: MediaEngine): Promise<{
  phones: Phone[];
  sessions: MediaSession[];
  mixer: Mixer;
}> {
  const phones = [await phone(400), await phone(1000), await phone(1700, 'PCMA')];
  const sessions: MediaSession[] = [];
  for (const p of phones) {
    const s = await media.allocate();
    s.connect(remote(p.port, p.codec));
    sessions.push(s);
  }
  const mixer = media.createMixer();
  for (const s of sessions) mixer.add(s);
  talk(phones.map((p, i) => [p, sessions[i]!]));
  return { phones, sessions, mixer };
}

const TONES = [400, 1000, 1700];

describe.each(ENGINES)('mixer (%s)', (_, make) => {
  beforeAll(() => {
    factory = make;
  });

  it('sends each member the other two members’ audio and not its own, in its own codec and stream', async () => {
    const media = await engine();
    const { phones, sessions, mixer } = await conferenceOfThree(media);
    expect(mixer.members).toEqual(sessions);
    expect(sessions.every((s) => s.mixer === mixer && s.bridgedTo === undefined)).toBe(true);
    await wait(200);
    const since = performance.now();
    await wait(600);
    phones.forEach((p, i) => {
      const pcm = heard(p, since);
      expect(pcm.length).toBeGreaterThan(20 * FRAME_SAMPLES);
      const levels = TONES.map((f) => amplitude(pcm, f));
      for (let j = 0; j < 3; j++) {
        if (j === i) expect(levels[j]).toBeLessThan(300);
        else expect(levels[j]).toBeGreaterThan(3000);
      }
      const packets = p.packets.filter((x) => x.at >= since);
      expect(new Set(packets.map((x) => x.payloadType))).toEqual(new Set([p.codec === 'PCMU' ? 0 : 8]));
      expect(new Set(packets.map((x) => x.ssrc)).size).toBe(1);
      for (let k = 1; k < packets.length; k++) {
        expect((packets[k]!.sequence - packets[k - 1]!.sequence) & 0xffff).toBe(1);
        // A tick where no one else was heard sends nothing (no silence configured): the timestamp skips it.
        expect(((packets[k]!.timestamp - packets[k - 1]!.timestamp) >>> 0) % FRAME_SAMPLES).toBe(0);
      }
    });
  });

  it('a member removed is no longer heard and hears nothing; the two left hear each other, as a bridge', async () => {
    const media = await engine();
    const { phones, sessions, mixer } = await conferenceOfThree(media);
    await wait(300);
    mixer.remove(sessions[1]!);
    expect(sessions[1]!.mixer).toBeUndefined();
    expect(mixer.members).toEqual([sessions[0], sessions[2]]);
    await wait(100);
    const since = performance.now();
    await wait(500);
    const [a, b, c] = phones.map((p) => heard(p, since));
    expect(amplitude(a!, 1000)).toBeLessThan(300);
    expect(amplitude(a!, 1700)).toBeGreaterThan(3000);
    expect(amplitude(c!, 1000)).toBeLessThan(300);
    expect(amplitude(c!, 400)).toBeGreaterThan(3000);
    // Alone again without silence configured, the removed member's session sends nothing.
    expect(b!.length).toBe(0);
  });

  it('a closed mixer sends nothing more and takes no member', async () => {
    const media = await engine();
    const { phones, sessions, mixer } = await conferenceOfThree(media);
    await wait(300);
    expect(phones.every((p) => p.packets.length > 5)).toBe(true);
    mixer.close();
    expect(mixer.closed).toBe(true);
    expect(mixer.members).toEqual([]);
    expect(sessions.every((s) => s.mixer === undefined)).toBe(true);
    expect(() => mixer.add(sessions[0]!)).toThrow(/mixer/);
    await wait(100);
    const counts = phones.map((p) => p.packets.length);
    await wait(300);
    expect(phones.map((p) => p.packets.length)).toEqual(counts);
  });

  it('a clip played on a member is heard by that member on top of the mix, and by no one else', async () => {
    const media = await engine();
    const { phones, sessions } = await conferenceOfThree(media);
    await wait(200);
    const playing = sessions[0]!.play(tone(2500, 5000, 6000));
    await wait(100);
    const since = performance.now();
    await wait(500);
    const [a, b, c] = phones.map((p) => heard(p, since));
    expect(amplitude(a!, 2500)).toBeGreaterThan(2500);
    expect(amplitude(a!, 1000)).toBeGreaterThan(3000);
    expect(amplitude(b!, 2500)).toBeLessThan(300);
    expect(amplitude(c!, 2500)).toBeLessThan(300);
    sessions[0]!.stopPlayback();
    expect(await playing.done).toBe('stopped');
  });

  it('reports a member’s digits on its own session and relays none; onAudio still gives what it sent', async () => {
    const media = await engine();
    const phones = [await phone(400), await phone(1000), await phone(1700, 'PCMA')];
    const sessions: MediaSession[] = [];
    for (const p of phones) {
      const s = await media.allocate();
      s.connect(remote(p.port, p.codec));
      sessions.push(s);
    }
    const digits: string[][] = [[], [], []];
    for (const [i, s] of sessions.entries()) s.onDtmf((e) => digits[i]!.push(e.digit));
    const own: Int16Array[] = [];
    sessions[0]!.onAudio((pcm) => own.push(pcm));
    const mixer = media.createMixer();
    for (const s of sessions) mixer.add(s);
    await wait(50);
    for (let i = 0; i < 10; i++) phones[0]!.speak(sessions[0]!.localPort);
    let seq = 1;
    const send = (end: boolean, duration: number) =>
      phones[1]!.send(
        encodeRtp(
          { payloadType: 101, marker: seq === 1, sequence: 500 + seq++, timestamp: 4242, ssrc: 99 },
          encodeTelephoneEvent({ event: 5, end, volume: 10, duration }),
        ),
        sessions[1]!.localPort,
      );
    send(false, 400);
    for (let i = 0; i < 3; i++) send(true, 800);
    await wait(200);
    expect(digits).toEqual([[], ['5'], []]);
    expect(phones.every((p) => p.packets.every((x) => x.payloadType !== 101))).toBe(true);
    expect(own).toHaveLength(10);
    expect(amplitude(Int16Array.from(own.flatMap((f) => [...f])), 400)).toBeGreaterThan(5000);
  });

  it('bridging a mixed session takes it out of its mixer; adding a bridged one unbridges it', async () => {
    const media = await engine();
    const [a, b, c, d] = [
      await media.allocate(),
      await media.allocate(),
      await media.allocate(),
      await media.allocate(),
    ];
    const mixer = media.createMixer();
    mixer.add(a!);
    mixer.add(b!);
    a!.bridge(c!);
    expect(a!.mixer).toBeUndefined();
    expect(a!.bridgedTo).toBe(c);
    expect(mixer.members).toEqual([b]);
    c!.bridge(d!);
    mixer.add(c!);
    expect(c!.bridgedTo).toBeUndefined();
    expect(d!.bridgedTo).toBeUndefined();
    expect(mixer.members).toEqual([b, c]);
    const other = media.createMixer();
    other.add(b!);
    expect(b!.mixer).toBe(other);
    expect(mixer.members).toEqual([c]);
    c!.release();
    expect(mixer.members).toEqual([]);
    expect(() => mixer.add(c!)).toThrow(/mixer/);
  });

  it('the media timer keeps ticking with 50 mixers of 3 talking members', async () => {
    const errors: string[] = [];
    const log = pino(
      { level: 'warn' },
      {
        write: (line: string) => {
          errors.push(line);
        },
      },
    );
    const media = await engine(320, log);
    const crowd = await phone(700);
    const sessions: MediaSession[] = [];
    for (let m = 0; m < 50; m++) {
      const mixer = media.createMixer();
      for (let k = 0; k < 3; k++) {
        const s = await media.allocate();
        s.connect(remote(crowd.port));
        mixer.add(s);
        sessions.push(s);
      }
    }
    talk(sessions.map((s) => [crowd, s]));
    await wait(500);
    await media.resetTimerStats();
    const before = (await media.stats()).packetsSent;
    const since = performance.now();
    await wait(3000);
    const stats = await media.stats();
    expect(stats.sessions).toBe(150);
    expect(stats.timer.count).toBeGreaterThan(50);
    expect(stats.packetsSent - before).toBeGreaterThan(150 * 50);
    // Every member is sent the mix (from its own SSRC), not only a few.
    expect(new Set(crowd.packets.filter((x) => x.at >= since).map((x) => x.ssrc)).size).toBe(150);
    expect(errors).toEqual([]);
  }, 20_000);
});

describe('jitter buffer', () => {
  it('gives 20 ms frames from packets of any size, keeps at most three frames, and is silent while short', () => {
    const buffer = new JitterBuffer();
    const out = new Int16Array(FRAME_SAMPLES);
    expect(buffer.take(out)).toBe(false);
    buffer.push(new Int16Array(240).fill(1));
    expect(buffer.take(out)).toBe(true);
    expect(buffer.take(out)).toBe(false);
    buffer.push(new Int16Array(240).fill(2));
    expect(buffer.take(out)).toBe(true);
    expect(out.slice(0, 80).every((x) => x === 1)).toBe(true);
    expect(out.slice(80).every((x) => x === 2)).toBe(true);
    for (let i = 3; i < 8; i++) buffer.push(new Int16Array(FRAME_SAMPLES).fill(i));
    expect(buffer.samples).toBe(3 * FRAME_SAMPLES);
    const frames: number[] = [];
    while (buffer.take(out)) frames.push(out[0]!);
    expect(frames).toEqual([5, 6, 7]);
  });
});
