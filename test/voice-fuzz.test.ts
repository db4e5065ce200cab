// Bad SIP against a live stack while a real call is in progress: at least 10,000 malformed or mutated
// messages over UDP and TCP (seeded, so a failure replays), an INVITE flood, and an error budget.
import dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { freeMediaPort, type SippProcess, sippArgs, sippAvailable, startSipp } from '../bench/voice/sipp.js';
import { seededRandom, type UniformRandom } from '../src/core/index.js';
import {
  type Call,
  type EndCause,
  startVoice,
  tone,
  type Voice,
  type VoiceConfig,
} from '../src/voice/index.js';

const SCENARIO = path.resolve(import.meta.dirname, 'fixtures/sipp/caller-long.xml');
const logger = pino({ level: 'silent' });
const LONG_CALL = 'sipp-long';
const opened: Voice[] = [];

afterEach(async () => {
  for (const v of opened.splice(0)) await v.close();
});

async function openVoice(extra: Partial<VoiceConfig>): Promise<Voice> {
  const rtp = 34000 + 4 * Math.floor(Math.random() * 2000);
  const voice = await startVoice(
    {
      sipHost: '127.0.0.1',
      sipPort: 0,
      publicAddress: undefined,
      rtpPortMin: rtp,
      rtpPortMax: rtp + 399,
      ...extra,
    },
    logger,
  );
  if (!voice) throw new Error('voice did not start');
  opened.push(voice);
  return voice;
}

interface LongCall {
  sipp: SippProcess;
  answered: Promise<Call>;
  ended: Promise<EndCause>;
  digits: string[];
}

/** The sipp call that must come through unharmed: answered, hears a prompt, presses 1, hangs up. */
async function startLongCall(voice: Voice, holdMs: number): Promise<LongCall> {
  const digits: string[] = [];
  let answered!: (c: Call) => void;
  let ended!: (c: EndCause) => void;
  const call: LongCall = {
    sipp: undefined as unknown as SippProcess,
    answered: new Promise((r) => {
      answered = r;
    }),
    ended: new Promise((r) => {
      ended = r;
    }),
    digits,
  };
  voice.calls.onCall(async (c) => {
    if (c.to.user !== LONG_CALL) {
      // A mutant that happens to be a valid INVITE: refused like any unknown number.
      c.reject(404);
      return;
    }
    c.once('ended', ended);
    c.on('dtmf', (e) => digits.push(e.digit));
    await c.answer();
    answered(c);
    void c.play(tone(440, 1000), { loop: true });
  });
  const mediaPort = await freeMediaPort();
  call.sipp = startSipp(
    sippArgs(`127.0.0.1:${voice.sipPort}`, mediaPort, [
      '-sf',
      SCENARIO,
      '-rtp_echo',
      '-m',
      '1',
      '-s',
      LONG_CALL,
      '-d',
      String(holdMs),
      '-timeout',
      `${Math.ceil(holdMs / 1000) + 30}s`,
      '-timeout_error',
    ]),
    { timeoutMs: holdMs + 40_000 },
  );
  return call;
}

// ---- the mutants --------------------------------------------------------------------------------

type Expect = number[] | 'any' | 'none';
interface Mutant {
  kind: string;
  text: string;
  /** Statuses a response may have ('any': undecided, but a response must be well-formed SIP). */
  expect: Expect;
  key: string;
}

const SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n';

function base(
  n: number,
  port: number,
  transport: 'UDP' | 'TCP',
  method = 'INVITE',
  body = method === 'INVITE' ? SDP : '',
  prefix = 'fz',
) {
  // Mutants whose fate is undecided (bytes flipped …) get keys of their own ('fx'), so that a flip
  // that turns one key into another can never be taken for the answer to a decided mutant.
  const key = `${prefix}${n}`;
  const headers: [string, string][] = [
    ['Via', `SIP/2.0/${transport} 127.0.0.1:${port};branch=z9hG4bK${key};rport`],
    ['From', `<sip:fuzzer@127.0.0.1:${port}>;tag=${key}`],
    ['To', '<sip:fuzz@127.0.0.1>'],
    ['Call-ID', `${key}@fuzz`],
    ['CSeq', `${n} ${method}`],
    ['Contact', `<sip:fuzzer@127.0.0.1:${port}>`],
    ['Max-Forwards', '70'],
  ];
  if (body) headers.push(['Content-Type', 'application/sdp']);
  headers.push(['Content-Length', String(body.length)]);
  return { key, line: `${method} sip:fuzz@127.0.0.1 SIP/2.0`, headers, body };
}

type Parts = ReturnType<typeof base>;
const render = (p: Parts) =>
  `${p.line}\r\n${p.headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${p.body}`;
const without = (p: Parts, name: string) => ({ ...p, headers: p.headers.filter(([k]) => k !== name) });
const withHeader = (p: Parts, name: string, value: string) => ({
  ...p,
  headers: p.headers.map(([k, v]): [string, string] => [k, k === name ? value : v]),
});
const pick = <T>(r: UniformRandom, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const token = (r: UniformRandom) =>
  Array.from({ length: 3 + Math.floor(r() * 8) }, () => String.fromCharCode(65 + Math.floor(r() * 26))).join(
    '',
  );
const bytes = (r: UniformRandom, n: number) =>
  Array.from({ length: n }, () => String.fromCharCode(Math.floor(r() * 256))).join('');

/** Mutants that keep stream framing (whole header block, true Content-Length): safe inside a TCP stream. */
const FRAMED: ((r: UniformRandom, p: Parts) => Omit<Mutant, 'key'>)[] = [
  (r, p) => {
    const name = pick(r, ['Via', 'From', 'To', 'Call-ID', 'CSeq']);
    return { kind: `missing ${name}`, text: render(without(p, name)), expect: [400] };
  },
  (r, p) => ({ kind: 'unknown method', text: render(retarget(p, token(r))), expect: [501] }),
  (r, p) => ({
    kind: 'method not allowed',
    text: render(
      retarget(p, pick(r, ['REGISTER', 'SUBSCRIBE', 'NOTIFY', 'MESSAGE', 'REFER', 'PUBLISH', 'UPDATE'])),
    ),
    expect: [405],
  }),
  (_, p) => ({
    kind: 'other version',
    text: render({ ...p, line: p.line.replace('SIP/2.0', 'SIP/3.0') }),
    expect: [505],
  }),
  (_, p) => ({
    kind: 'other scheme',
    text: render({ ...p, line: 'INVITE mailto:x@y SIP/2.0' }),
    expect: [416],
  }),
  (r, p) => ({
    kind: 'huge header',
    text: render({
      ...p,
      headers: [
        ...p.headers.slice(0, 3),
        ['Subject', 'x'.repeat(2100 + Math.floor(r() * 8000))],
        ...p.headers.slice(3),
      ],
    }),
    expect: [400],
  }),
  (r, p) => ({
    kind: 'bad CSeq',
    text: render(
      withHeader(p, 'CSeq', pick(r, ['x INVITE', '1', `${p.key} INVITE`, '99999999999 INVITE', '1 BYE'])),
    ),
    expect: [400],
  }),
  (_, p) => ({
    kind: 'two Call-IDs',
    text: render({ ...p, headers: [...p.headers, ['Call-ID', 'other']] }),
    expect: [400],
  }),
  (_, p) => ({
    kind: 'Via without branch',
    text: render(withHeader(p, 'Via', 'SIP/2.0/UDP 127.0.0.1:5999')),
    expect: [400],
  }),
  (_, p) => ({
    kind: 'From without tag',
    text: render(withHeader(p, 'From', '<sip:fuzzer@127.0.0.1>')),
    expect: [400],
  }),
  (r, p) => ({
    kind: 'bad Max-Forwards',
    text: render(withHeader(p, 'Max-Forwards', pick(r, ['-1', '256', 'ten']))),
    expect: [400],
  }),
  (r, p) => ({
    kind: 'unknown Require',
    text: render({ ...p, headers: [...p.headers.slice(0, -1), ['Require', token(r)], p.headers.at(-1)!] }),
    expect: [420],
  }),
  (_, p) => ({
    kind: 'not SDP',
    text: render(inviteWith(p, SDP, 'text/plain')),
    expect: [415],
  }),
  (r, p) => {
    const body = pick(r, [
      'v=0\r\nm=audio 7000 RTP/AVP 18\r\nc=IN IP4 127.0.0.1\r\n',
      'v=0\r\ngarbage',
      bytes(r, 40),
    ]);
    return { kind: 'unusable SDP', text: render(inviteWith(p, body, 'application/sdp')), expect: [400, 488] };
  },
  (r, p) => {
    const method = pick(r, ['BYE', 'INFO']);
    const q = retarget(p, method);
    return {
      kind: 'no such dialog',
      text: render(withHeader(q, 'To', '<sip:fuzz@127.0.0.1>;tag=nobody')),
      expect: [481],
    };
  },
  (_, p) => ({ kind: 'CANCEL for nothing', text: render(retarget(p, 'CANCEL')), expect: [481] }),
];

/** Mutants that may break framing or leave the message undecided: UDP only (or the end of a TCP stream). */
const UNFRAMED: ((r: UniformRandom, p: Parts) => Omit<Mutant, 'key'>)[] = [
  (r, p) => ({
    kind: 'bad Content-Length',
    text: render(withHeader(p, 'Content-Length', pick(r, ['abc', '-5', '99999', '12x', '1e3']))),
    expect: [400],
  }),
  (r, p) => {
    const text = render(p);
    return { kind: 'truncated', text: text.slice(0, Math.floor(r() * text.length)), expect: 'any' };
  },
  (r, p) => {
    const chars = [...render(p)];
    for (let i = 0; i < 1 + Math.floor(r() * 6); i++)
      chars[Math.floor(r() * chars.length)] = String.fromCharCode(Math.floor(r() * 256));
    return { kind: 'bytes flipped', text: chars.join(''), expect: 'any' };
  },
  (r) => ({ kind: 'binary garbage', text: bytes(r, 1 + Math.floor(r() * 1400)), expect: 'none' }),
  (r, p) => ({
    kind: 'huge message',
    text: render(
      withBody(
        withHeader(p, 'Content-Type', 'application/sdp'),
        'a'.repeat(17_000 + Math.floor(r() * 20_000)),
      ),
    ),
    expect: [513],
  }),
  (r, p) => ({
    kind: 'lines shuffled',
    text: render({
      ...p,
      headers: [...p.headers].sort(() => r() - 0.5),
      line: pick(r, [p.line, p.headers[0]![1]]),
    }),
    expect: 'any',
  }),
];

/** The same request with another method (and no body). */
/** The mutators whose result is undecided (indexes into UNFRAMED: truncated, flipped, shuffled). */
const UNDECIDED = new Set([UNFRAMED[1], UNFRAMED[2], UNFRAMED[5]]);

function retarget(p: Parts, method: string): Parts {
  const q = withHeader(p, 'CSeq', `${p.headers.find(([k]) => k === 'CSeq')![1].split(' ')[0]} ${method}`);
  const r = withBody({ ...q, line: q.line.replace(/^\S+/, method) }, '');
  return { ...r, headers: r.headers.filter(([k]) => k !== 'Content-Type') };
}

/** The request as an INVITE with this body and Content-Type. */
function inviteWith(p: Parts, body: string, type: string): Parts {
  const q = retarget(p, 'INVITE');
  return withBody(
    { ...q, headers: [...q.headers.slice(0, -1), ['Content-Type', type], q.headers.at(-1)!] },
    body,
  );
}

function withBody(p: Parts, body: string): Parts {
  const q = withHeader(p, 'Content-Length', String(body.length));
  return { ...q, body };
}

function mutant(
  r: UniformRandom,
  n: number,
  port: number,
  transport: 'UDP' | 'TCP',
  framedOnly: boolean,
): Mutant {
  const method = pick(r, ['INVITE', 'INVITE', 'OPTIONS', 'INFO']);
  const framed = framedOnly || r() < 0.55;
  const make = pick(r, framed ? FRAMED : UNFRAMED);
  const p = base(n, port, transport, method, undefined, !framed && UNDECIDED.has(make) ? 'fx' : 'fz');
  return { ...make(r, p), key: p.key };
}

// ---- the collectors -----------------------------------------------------------------------------

interface Outcome {
  sent: Map<string, Mutant>;
  /** Responses by the mutant key they name. */
  answers: Map<string, string[]>;
  /** Responses the stack sent that do not parse as SIP responses. */
  malformedAnswers: string[];
}

function collect(outcome: Outcome, text: string) {
  // An answer copies what it can of the request: with a request's header missing or broken, so is
  // the answer's. What must hold is a status line and an end of headers.
  if (!/^SIP\/2\.0 [1-6]\d\d [^\r\n]*\r\n/.test(text) || !text.includes('\r\n\r\n')) {
    outcome.malformedAnswers.push(text.slice(0, 200));
    return;
  }
  const key = /f[zx]\d+/.exec(text)?.[0] ?? '?';
  const list = outcome.answers.get(key) ?? [];
  list.push(text);
  outcome.answers.set(key, list);
}

const statusOf = (text: string) => Number(text.slice(8, 11));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fuzzUdp(voice: Voice, r: UniformRandom, count: number, first: number, outcome: Outcome) {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((res) => socket.bind(0, '127.0.0.1', () => res()));
  socket.on('message', (m) => collect(outcome, m.toString('latin1')));
  const port = socket.address().port;
  for (let i = 0; i < count; i++) {
    const m = mutant(r, first + i, port, 'UDP', false);
    outcome.sent.set(m.key, m);
    socket.send(Buffer.from(m.text, 'latin1'), voice.sipPort, '127.0.0.1');
    // Paced so the kernel's receive buffer never overflows: what is lost then is the stack's fault.
    if (i % 20 === 19) await sleep(2);
  }
  await sleep(300);
  socket.close();
}

async function fuzzTcp(voice: Voice, r: UniformRandom, count: number, first: number, outcome: Outcome) {
  const perConnection = 50;
  const answeredAll = async (keys: string[]) => {
    for (let waited = 0; waited < 500; waited += 10) {
      if (keys.every((k) => outcome.answers.get(k)?.some((a) => statusOf(a) >= 200))) return;
      await sleep(10);
    }
  };
  for (let start = 0; start < count; start += perConnection) {
    const socket = net.connect(voice.sipPort, '127.0.0.1');
    await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
    socket.on('error', () => {});
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) break;
        const length = Number(/^Content-Length: (\d+)/im.exec(buffer.slice(0, end))?.[1] ?? 0);
        if (buffer.length < end + 4 + length) break;
        collect(outcome, buffer.slice(0, end + 4 + length));
        buffer = buffer.slice(end + 4 + length);
      }
    });
    const port = socket.localPort!;
    const n = Math.min(perConnection, count - start);
    const expected: string[] = [];
    for (let i = 0; i < n; i++) {
      // The last message of a connection may break its framing (the server may then wait for bytes
      // that never come, or close): what it gets is not decided.
      const m = mutant(r, first + start + i, port, 'TCP', i < n - 1);
      if (i === n - 1 && m.expect !== 'none') m.expect = 'any';
      if (Array.isArray(m.expect)) expected.push(m.key);
      outcome.sent.set(m.key, m);
      socket.write(m.text, 'latin1');
    }
    await answeredAll(expected);
    socket.destroy();
  }
}

/** Checks every answerable mutant got one of its statuses, and nothing undecided got nonsense. */
function verdict(outcome: Outcome) {
  const wrong: string[] = [];
  let answerable = 0;
  let answered = 0;
  for (const [key, m] of outcome.sent) {
    const answers = outcome.answers.get(key) ?? [];
    if (m.expect === 'none') {
      if (answers.length > 0) wrong.push(`${m.kind} ${key}: answered ${statusOf(answers[0]!)}`);
      continue;
    }
    if (m.expect === 'any') continue;
    answerable++;
    const finals = answers.map(statusOf).filter((s) => s >= 200);
    if (finals.length === 0) wrong.push(`${m.kind} ${key}: no answer`);
    else if (!finals.every((s) => (m.expect as number[]).includes(s)))
      wrong.push(`${m.kind} ${key}: got ${finals.join(',')}, expected ${m.expect.join('|')}`);
    else answered++;
  }
  return { answerable, answered, wrong };
}

describe.skipIf(!sippAvailable())('bad SIP while a call is in progress', () => {
  it('10,000+ malformed messages over UDP and TCP get proper errors and leave the call untouched', async () => {
    const voice = await openVoice({
      inviteRate: { perSecond: 100_000, burst: 100_000 },
      errorRate: { perSecond: 100_000, burst: 100_000 },
    });
    const call = await startLongCall(voice, 12_000);
    const answered = await call.answered;
    const r = seededRandom(7).next;
    const outcome: Outcome = { sent: new Map(), answers: new Map(), malformedAnswers: [] };
    await fuzzUdp(voice, r, 8000, 1, outcome);
    await fuzzTcp(voice, r, 3000, 100_001, outcome);
    const midCall = answered.state;

    const result = await call.sipp.done;
    const cause = await call.ended;
    const v = verdict(outcome);
    expect(v.wrong.slice(0, 40)).toEqual([]);
    expect(outcome.sent.size).toBeGreaterThanOrEqual(10_000);
    // Every kind of damage was tried (see FRAMED and UNFRAMED).
    expect(
      new Set([...outcome.sent.values()].map((m) => m.kind.replace(/^missing .*/, 'missing'))).size,
    ).toBe(FRAMED.length + UNFRAMED.length);
    expect(v.answerable).toBeGreaterThan(6000);
    expect(outcome.malformedAnswers).toEqual([]);
    expect(voice.sip.stats.handlerErrors).toBe(0);
    // The call in progress: still answered during the storm, one digit, ended by the caller's BYE.
    expect(midCall).toBe('answered');
    expect(result.code, result.output).toBe(0);
    expect(call.digits).toEqual(['1']);
    expect(cause).toBe('caller-hangup');
    // RTP kept flowing: a 12 s call at 50 frames a second (half of it is plenty for this check).
    expect((await answered.media.stats()).framesPlayed).toBeGreaterThan(300);
    await sleep(100);
    expect(voice.calls.calls).toHaveLength(0);
    expect((await voice.media.stats()).sessions).toBe(0);
  }, 90_000);

  it('an INVITE flood from one address gets 503 with Retry-After beyond its rate; the call in progress goes on', async () => {
    // Error responses unbudgeted here, so every 503 can be counted.
    const voice = await openVoice({
      inviteRate: { perSecond: 10, burst: 20 },
      errorRate: { perSecond: 100_000, burst: 100_000 },
    });
    const call = await startLongCall(voice, 4000);
    await call.answered;
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((res) => socket.bind(0, '127.0.0.1', () => res()));
    // The first final answer to each INVITE (a 404 is re-sent until ACKed; we never ACK).
    const finals = new Map<string, number>();
    let retryAfter = 0;
    socket.on('message', (m) => {
      const text = m.toString('latin1');
      const status = statusOf(text);
      const callId = /^Call-ID: (\S+)/m.exec(text)?.[1] ?? '?';
      if (status < 200 || finals.has(callId)) return;
      finals.set(callId, status);
      if (status === 503 && /^Retry-After: \d+\r$/m.test(text)) retryAfter++;
    });
    const port = socket.address().port;
    for (let i = 0; i < 500; i++) {
      socket.send(render(base(200_000 + i, port, 'UDP')), voice.sipPort, '127.0.0.1');
      if (i % 20 === 19) await sleep(2);
    }
    await sleep(500);
    socket.close();
    const statuses = [...finals.values()];
    const limited = statuses.filter((s) => s === 503).length;
    expect(statuses).toHaveLength(500);
    // Most were refused at once; the few the bucket let through met the handler (404: unknown number).
    expect(limited).toBeGreaterThan(450);
    expect(retryAfter).toBe(limited);
    expect(statuses.filter((s) => s !== 503).every((s) => s === 404)).toBe(true);
    expect(voice.sip.stats.floodLimited).toBe(limited);
    const result = await call.sipp.done;
    expect(result.code, result.output).toBe(0);
    expect(call.digits).toEqual(['1']);
    expect(await call.ended).toBe('caller-hangup');
  }, 60_000);
});

describe('the error budget', () => {
  it('a source sending only garbage stops getting answers beyond its budget, and still gets real answers', async () => {
    const voice = await openVoice({ errorRate: { perSecond: 10, burst: 50 } });
    const noisy = dgram.createSocket('udp4');
    await new Promise<void>((res) => noisy.bind(0, '127.0.0.1', () => res()));
    const statuses: number[] = [];
    noisy.on('message', (m) => statuses.push(statusOf(m.toString('latin1'))));
    const port = noisy.address().port;
    for (let i = 0; i < 300; i++) {
      noisy.send(render(without(base(300_000 + i, port, 'UDP'), 'CSeq')), voice.sipPort, '127.0.0.1');
      if (i % 20 === 19) await sleep(2);
    }
    await sleep(300);
    expect(statuses.length).toBeGreaterThanOrEqual(50);
    expect(statuses.length).toBeLessThan(70);
    expect(statuses.every((s) => s === 400)).toBe(true);
    expect(voice.sip.stats.errorLimited).toBeGreaterThan(200);
    noisy.send(render(retarget(base(300_999, port, 'UDP'), 'OPTIONS')), voice.sipPort, '127.0.0.1');
    await sleep(100);
    expect(statuses.at(-1)).toBe(200);
    noisy.close();
  });
});
