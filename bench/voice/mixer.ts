// Conference mixing cost (issue #7): the time one media tick spends in the mixers, per member — jitter
// buffer, sum, minus the member's own frame, saturation, G.711 encoding and (in the "send" rows) the UDP
// send — for 50 mixers of 3, 5 and 10 members, half PCMU and half PCMA. Run: npx tsx bench/voice/mixer.ts
// The mixers are driven tick by tick here (not by the 20 ms timer) so that only their work is timed; what
// a member receives is pushed into its jitter buffer between ticks, as the session's socket would.
import dgram from 'node:dgram';
import { type Codec, FRAME_SAMPLES, tone } from '../../src/voice/media/audio.js';
import { MediaClock, type TickHandler } from '../../src/voice/media/clock.js';
import { RtpMixer } from '../../src/voice/media/mixer.js';
import { RtpSession, type SessionHost } from '../../src/voice/media/session.js';

const MIXERS = 50;
const TICKS = 500;
const WARMUP = 100;
const SIZES = [3, 5, 10];

interface Row {
  members: number;
  send: boolean;
  /** µs of mixer work per tick, divided by the members mixed. */
  meanPerMember: number;
  p99PerMember: number;
  /** µs of one whole tick for all the mixers (what the 20 ms budget pays). */
  meanTick: number;
}

async function bindSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => {});
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return socket;
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

async function measure(size: number, send: boolean): Promise<Row> {
  const sink = await bindSocket();
  sink.on('message', () => {});
  const sessionClock = new MediaClock();
  const host: SessionHost = {
    clock: sessionClock,
    totals: { sent: 0, received: 0 },
    sendSilence: true,
    latchWindowMs: 0,
    released: () => {},
    warn: () => {},
  };
  const handlers: TickHandler[] = [];
  const manual = {
    add: (h: TickHandler) => handlers.push(h),
    remove: (h: TickHandler) => handlers.splice(handlers.indexOf(h), 1),
  };
  const members: { mixer: RtpMixer; session: RtpSession; speech: Int16Array }[] = [];
  for (let m = 0; m < MIXERS; m++) {
    const mixer = new RtpMixer(`mix-${m}`, manual, () => {});
    for (let k = 0; k < size; k++) {
      const socket = await bindSocket();
      const session = new RtpSession(`rtp-${m}-${k}`, socket.address().port, socket, host);
      const codec: Codec = k % 2 === 0 ? 'PCMU' : 'PCMA';
      session.connect({
        address: '127.0.0.1',
        port: sink.address().port,
        codec,
        payloadType: codec === 'PCMU' ? 0 : 8,
        dtmfPayloadType: 101,
        direction: send ? 'sendrecv' : 'inactive',
      });
      mixer.add(session);
      members.push({ mixer, session, speech: tone(300 + 97 * k, 1000).samples });
    }
  }
  // The sessions' own ticks (digit time-outs only, while mixed) are not what is measured.
  sessionClock.stop();

  const perTick: number[] = [];
  for (let t = 0; t < WARMUP + TICKS; t++) {
    const at = (t * FRAME_SAMPLES) % (8000 - FRAME_SAMPLES);
    for (const m of members) m.mixer.push(m.session, m.speech.subarray(at, at + FRAME_SAMPLES));
    const start = performance.now();
    for (const h of handlers) h(1, start);
    const took = performance.now() - start;
    if (t >= WARMUP) perTick.push(took * 1000);
    await nextTurn();
  }
  for (const m of members) m.session.release();
  sink.close();

  perTick.sort((a, b) => a - b);
  const n = MIXERS * size;
  const mean = perTick.reduce((a, b) => a + b, 0) / perTick.length;
  const p99 = perTick[Math.floor(perTick.length * 0.99)]!;
  return { members: size, send, meanPerMember: mean / n, p99PerMember: p99 / n, meanTick: mean };
}

const rows: Row[] = [];
for (const size of SIZES) for (const send of [false, true]) rows.push(await measure(size, send));
console.log(`${MIXERS} mixers, ${TICKS} ticks each (after ${WARMUP} to warm up), Node ${process.version}`);
console.log('members  send  µs/tick/member (mean)  µs/tick/member (p99)  µs per tick, all mixers');
for (const r of rows)
  console.log(
    `${String(r.members).padStart(7)}  ${(r.send ? 'yes' : 'no').padEnd(4)}  ${r.meanPerMember
      .toFixed(2)
      .padStart(21)}  ${r.p99PerMember.toFixed(2).padStart(20)}  ${r.meanTick.toFixed(0).padStart(23)}`,
  );
