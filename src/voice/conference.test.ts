import dgram from 'node:dgram';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Conference } from './conference.js';
import { Leg } from './leg.js';
import { decodeFrame, encodeFrame, FRAME_SAMPLES } from './media/audio.js';
import {
  createEmbeddedMediaEngine,
  type MediaEngine,
  type MediaSession,
  type RemoteMedia,
  tone,
} from './media/index.js';
import { encodeRtp, parseRtp } from './media/rtp.js';

const engines: MediaEngine[] = [];
const sockets: dgram.Socket[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const e of engines.splice(0)) await e.close();
  for (const s of sockets.splice(0)) s.close();
});

/** A leg with no signalling of its own (its media is real): answered at once, hung up by `hangup()`. */
class TestLeg extends Leg {
  readonly kind = 'sip-in' as const;

  constructor(id: string, session: MediaSession) {
    super(id, session, () => performance.now());
    this.markAnswered();
  }

  async hangup(): Promise<void> {
    this.end('hangup');
  }

  hold(held: boolean): void {
    this.setHeld(held);
  }
}

/** A phone sending a continuous tone as PCMU each 20 ms, and the PCM it receives. */
interface Phone {
  port: number;
  received: Int16Array[];
}

async function setup(count: number): Promise<{ media: MediaEngine; legs: TestLeg[]; phones: Phone[] }> {
  const min = 30000 + Math.floor(Math.random() * 1000) * 20;
  const media = createEmbeddedMediaEngine({
    host: '127.0.0.1',
    portMin: min,
    portMax: min + 19,
    logger: pino({ level: 'silent' }),
    sendSilence: false,
  });
  engines.push(media);
  const legs: TestLeg[] = [];
  const phones: Phone[] = [];
  const senders: (() => void)[] = [];
  for (let i = 0; i < count; i++) {
    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    const received: Int16Array[] = [];
    socket.on('message', (msg) => {
      const p = parseRtp(new Uint8Array(msg));
      if (p?.payloadType === 0) received.push(decodeFrame('PCMU', p.payload));
    });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const port = socket.address().port;
    const session = await media.allocate();
    const remote: RemoteMedia = {
      address: '127.0.0.1',
      port,
      codec: 'PCMU',
      payloadType: 0,
      dtmfPayloadType: 101,
      direction: 'sendrecv',
    };
    session.connect(remote);
    const samples = tone(TONES[i]!, 10_000).samples;
    let n = 0;
    senders.push(() => {
      const at = n * FRAME_SAMPLES;
      const header = { payloadType: 0, marker: n === 0, sequence: n, timestamp: at, ssrc: 7 + i };
      n++;
      socket.send(
        encodeRtp(header, encodeFrame('PCMU', samples.subarray(at, at + FRAME_SAMPLES))),
        session.localPort,
        '127.0.0.1',
      );
    });
    legs.push(new TestLeg(`leg-${i}`, session));
    phones.push({ port, received });
  }
  timers.push(
    setInterval(() => {
      for (const send of senders) send();
    }, 20),
  );
  return { media, legs, phones };
}

const TONES = [400, 1000, 1700];
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Goertzel amplitude of `frequency` in what the phone received after `skip` frames. */
function level(p: Phone, frequency: number, skip: number): number {
  const frames = p.received.slice(skip);
  const c = 2 * Math.cos((2 * Math.PI * frequency) / 8000);
  let s1 = 0;
  let s2 = 0;
  let n = 0;
  for (const f of frames)
    for (const x of f) {
      const s0 = x + c * s1 - s2;
      s2 = s1;
      s1 = s0;
      n++;
    }
  return n === 0 ? 0 : (2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2))) / n;
}

describe('Conference', () => {
  it('a call and a consultation join into one: each leg hears the other two, and each is bridged', async () => {
    const { media, legs, phones } = await setup(3);
    const [customer, agentA, agentB] = legs as [TestLeg, TestLeg, TestLeg];
    customer.bridge(agentA);
    const conference = new Conference(media.createMixer());
    const joined: string[] = [];
    conference.on('joined', (leg) => joined.push(leg.id));
    for (const leg of legs) conference.join(leg);
    expect(joined).toEqual(['leg-0', 'leg-1', 'leg-2']);
    expect(conference.legs).toEqual(legs);
    expect(legs.map((l) => l.state)).toEqual(['bridged', 'bridged', 'bridged']);
    expect(legs.every((l) => l.bridgedTo === undefined && l.conference === conference)).toBe(true);
    expect(agentB.media.mixer).toBe(conference.mixer);
    await wait(200);
    const skip = phones.map((p) => p.received.length);
    await wait(500);
    phones.forEach((p, i) => {
      for (let j = 0; j < 3; j++) {
        if (i === j) expect(level(p, TONES[j]!, skip[i]!)).toBeLessThan(300);
        else expect(level(p, TONES[j]!, skip[i]!)).toBeGreaterThan(3000);
      }
    });
  });

  it('a leg that hangs up leaves; the two left hear each other', async () => {
    const { media, legs, phones } = await setup(3);
    const conference = new Conference(media.createMixer());
    const left: string[] = [];
    conference.on('left', (leg) => left.push(leg.id));
    for (const leg of legs) conference.join(leg);
    await wait(100);
    await legs[1]!.hangup();
    expect(left).toEqual(['leg-1']);
    expect(conference.legs).toEqual([legs[0], legs[2]]);
    expect(legs[1]!.state).toBe('ended');
    expect(legs[0]!.state).toBe('bridged');
    await wait(100);
    const skip = phones[0]!.received.length;
    await wait(400);
    expect(level(phones[0]!, 1700, skip)).toBeGreaterThan(3000);
    expect(level(phones[0]!, 1000, skip)).toBeLessThan(300);
  });

  it('bridging or unbridging a leg takes it out; hold and resume keep it in; close leaves every leg answered', async () => {
    const { media, legs } = await setup(3);
    const [a, b, c] = legs as [TestLeg, TestLeg, TestLeg];
    const conference = new Conference(media.createMixer());
    for (const leg of legs) conference.join(leg);
    a.hold(true);
    expect(a.state).toBe('held');
    a.hold(false);
    expect(a.state).toBe('bridged');
    a.unbridge();
    expect(a.state).toBe('answered');
    expect(a.conference).toBeUndefined();
    expect(a.media.mixer).toBeUndefined();
    a.bridge(b);
    expect(conference.legs).toEqual([c]);
    expect(b.bridgedTo).toBe(a);
    conference.join(b);
    expect(a.bridgedTo).toBeUndefined();
    expect(a.state).toBe('answered');
    expect(conference.legs).toEqual([c, b]);
    conference.close();
    expect(conference.closed).toBe(true);
    expect(conference.mixer.closed).toBe(true);
    expect(legs.map((l) => l.state)).toEqual(['answered', 'answered', 'answered']);
    expect(() => conference.join(a)).toThrow(/closed/);
  });
});
