import dgram from 'node:dgram';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tone } from './audio.js';
import type { MediaEngine, MediaSession } from './contract.js';
import { encodeTelephoneEvent } from './dtmf.js';
import { createEmbeddedMediaEngine } from './engine.js';
import { encodeRtp, parseRtp, type RtpPacket } from './rtp.js';
import type { RemoteMedia } from './sdp.js';
import { createWorkerMediaEngine } from './worker-engine.js';

const logger = pino({ level: 'silent' });
const engines: MediaEngine[] = [];
const sockets: dgram.Socket[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  for (const s of sockets.splice(0)) s.close();
});

type Factory = (options: Parameters<typeof createEmbeddedMediaEngine>[0]) => Promise<MediaEngine>;
const ENGINES: [string, Factory][] = [
  ['in-thread', async (o) => createEmbeddedMediaEngine(o)],
  ['worker thread', (o) => createWorkerMediaEngine(o)],
];
let factory: Factory;

async function engine(sendSilence = false): Promise<MediaEngine> {
  const min = 30000 + Math.floor(Math.random() * 1000) * 20;
  const e = await factory({ host: '127.0.0.1', portMin: min, portMax: min + 19, logger, sendSilence });
  engines.push(e);
  return e;
}

/** A plain UDP socket standing in for a phone: what it receives, and a way to send. */
async function phone(): Promise<{ port: number; packets: RtpPacket[]; send(b: Buffer, to: number): void }> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  const packets: RtpPacket[] = [];
  socket.on('message', (msg) => {
    const p = parseRtp(new Uint8Array(msg));
    if (p) packets.push({ ...p, payload: new Uint8Array(p.payload) });
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { port: socket.address().port, packets, send: (b, to) => socket.send(b, to, '127.0.0.1') };
}

const remote = (port: number, codec: 'PCMU' | 'PCMA' = 'PCMU'): RemoteMedia => ({
  address: '127.0.0.1',
  port,
  codec,
  payloadType: codec === 'PCMU' ? 0 : 8,
  dtmfPayloadType: 101,
  direction: 'sendrecv',
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

// One suite, every engine (STYLE §3): the worker thread must behave as the engine it wraps.
describe.each(ENGINES)('media engine (%s)', (_, make) => {
  beforeAll(() => {
    factory = make;
  });

  it('plays a clip as 20 ms packets with consecutive sequence numbers and timestamps', async () => {
    const media = await engine();
    const p = await phone();
    const session = await media.allocate();
    session.connect(remote(p.port));
    const end = await session.play(tone(440, 200)).done;
    await wait(30);
    expect(end).toBe('finished');
    expect(p.packets).toHaveLength(10);
    expect(p.packets.every((x) => x.payloadType === 0 && x.payload.length === 160)).toBe(true);
    expect(p.packets[0]!.marker).toBe(true);
    for (let i = 1; i < p.packets.length; i++) {
      expect((p.packets[i]!.sequence - p.packets[i - 1]!.sequence) & 0xffff).toBe(1);
      expect((p.packets[i]!.timestamp - p.packets[i - 1]!.timestamp) >>> 0).toBe(160);
    }
    expect((await media.stats()).timer.count).toBeGreaterThanOrEqual(10);
  });

  it('reports a digit once from RFC 4733 packets, whatever their repeats', async () => {
    const media = await engine();
    const p = await phone();
    const session = await media.allocate();
    session.connect(remote(p.port));
    const digits: string[] = [];
    session.onDtmf((e) => digits.push(e.digit));
    let seq = 1;
    const send = (end: boolean, duration: number) =>
      p.send(
        encodeRtp(
          { payloadType: 101, marker: seq === 1, sequence: seq++, timestamp: 4242, ssrc: 99 },
          encodeTelephoneEvent({ event: 1, end, volume: 10, duration }),
        ),
        session.localPort,
      );
    send(false, 400);
    send(false, 800);
    for (let i = 0; i < 3; i++) send(true, 1280);
    await wait(100);
    expect(digits).toEqual(['1']);
    expect((await session.stats()).dtmfReceived).toBe(1);
  });

  it('bridges two sessions: audio and digits pass through, re-stamped with the other leg’s SSRC and codec', async () => {
    const media = await engine();
    const caller = await phone();
    const agent = await phone();
    const a = await media.allocate();
    const b = await media.allocate();
    a.connect(remote(caller.port, 'PCMU'));
    b.connect(remote(agent.port, 'PCMA'));
    a.bridge(b);
    for (let i = 0; i < 5; i++)
      caller.send(
        encodeRtp(
          { payloadType: 0, marker: false, sequence: 100 + i, timestamp: 1000 + i * 160, ssrc: 5 },
          new Uint8Array(160).fill(0xff),
        ),
        a.localPort,
      );
    await wait(100);
    expect(agent.packets).toHaveLength(5);
    expect(agent.packets.every((x) => x.payloadType === 8 && x.payload[0] === 0xd5)).toBe(true);
    expect(new Set(agent.packets.map((x) => x.ssrc)).size).toBe(1);
    expect(agent.packets[0]!.ssrc).not.toBe(5);
    b.release();
    expect(a.bridgedTo).toBeUndefined();
  });

  it('gives each session its own port from the range and takes it back on release', async () => {
    const media = await engine();
    const sessions: MediaSession[] = [];
    for (let i = 0; i < 10; i++) sessions.push(await media.allocate());
    expect(new Set(sessions.map((s) => s.localPort)).size).toBe(10);
    expect(sessions.every((s) => s.localPort % 2 === 0)).toBe(true);
    await expect(media.allocate()).rejects.toThrow(/no free RTP port/);
    sessions[0]!.release();
    await wait(20);
    expect((await media.allocate()).localPort).toBeGreaterThan(0);
  });

  it('latches onto the address RTP really comes from (symmetric RTP behind NAT) and sends there', async () => {
    const media = await engine(true);
    const announced = await phone();
    const actual = await phone();
    const session = await media.allocate();
    session.connect(remote(announced.port));
    const frames: number[] = [];
    session.onAudio((pcm) => frames.push(pcm.length));
    await wait(60);
    const before = announced.packets.length;
    expect(before).toBeGreaterThan(0);
    actual.send(
      encodeRtp({ payloadType: 0, marker: false, sequence: 1, timestamp: 1, ssrc: 1 }, new Uint8Array(160)),
      session.localPort,
    );
    await wait(100);
    expect(frames).toEqual([160]);
    expect(actual.packets.length).toBeGreaterThan(2);
    expect(announced.packets.length).toBeLessThanOrEqual(before + 1);
  });
});

describe('media worker', () => {
  it('a worker that dies releases its sessions (their calls hang up), and the next call starts a new one', async () => {
    const min = 30000 + Math.floor(Math.random() * 1000) * 20;
    const media = await createWorkerMediaEngine({
      host: '127.0.0.1',
      portMin: min,
      portMax: min + 19,
      logger,
      sendSilence: false,
    });
    engines.push(media);
    const first = await media.allocate();
    const released = new Promise<void>((r) => first.onReleased(r));
    const playing = first.play(tone(440, 5000)).done;
    await (media as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await released;
    expect(first.released).toBe(true);
    expect(await playing).toBe('released');
    const p = await phone();
    const second = await media.allocate();
    second.connect(remote(p.port));
    expect(await second.play(tone(440, 100)).done).toBe('finished');
    await wait(30);
    expect(p.packets.length).toBe(5);
  });
});
