import dgram from 'node:dgram';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DTMF_PCAP,
  freeMediaPort,
  runSipp,
  sippArgs,
  sippAvailable,
  startSipp,
} from '../bench/voice/sipp.js';
import {
  type Call,
  type DtmfEvent,
  type EndCause,
  startVoice,
  toMediaCall,
  tone,
  type Voice,
} from '../src/voice/index.js';
import { CallerHungUp } from '../src/voice/ivr/index.js';
import { toPromptAudio } from '../src/voice/tts/index.js';
import { startTestApp } from './support/app.js';

const SCENARIOS = path.resolve(import.meta.dirname, 'fixtures/sipp');
const haveSipp = sippAvailable();
const logger = pino({ level: 'silent' });

interface Observed {
  call: Call;
  digits: DtmfEvent[];
  collected?: { digits: string; reason: string };
  /** Audio frames that came back (sipp's -rtp_echo returns what it heard) and were not silence. */
  heard: number;
  ended: Promise<EndCause>;
}

let voice: Voice;
const calls: Observed[] = [];
const prompt = tone(440, 3000);

beforeAll(async () => {
  const rtp = 30000 + 4 * Math.floor(Math.random() * 2000);
  voice = (await startVoice(
    {
      sipHost: '127.0.0.1',
      sipPort: 0,
      publicAddress: undefined,
      rtpPortMin: rtp,
      rtpPortMax: rtp + 199,
      inviteRate: { perSecond: 5, burst: 10 },
    },
    logger,
  ))!;
  voice.calls.onCall(ivr);
});

/** Answers, plays a 3 s tone and waits for one digit, noting what it saw. */
async function ivr(call: Call): Promise<void> {
  const seen: Observed = {
    call,
    digits: [],
    heard: 0,
    ended: new Promise((resolve) => call.once('ended', resolve)),
  };
  calls.push(seen);
  call.on('dtmf', (e) => seen.digits.push(e));
  call.media.onAudio((pcm) => {
    if (pcm.some((s) => Math.abs(s) > 500)) seen.heard++;
  });
  if (call.to.user === 'busy') {
    call.reject(486);
    return;
  }
  await call.answer();
  void call.play(prompt);
  seen.collected = await call.collectDigits({ max: 1, timeoutMs: 8000 });
}

afterAll(async () => {
  await voice?.close();
});

async function sippCall(transport: 'u1' | 't1', service = 'ivr') {
  const mediaPort = await freeMediaPort();
  const before = calls.length;
  const result = await runSipp(
    sippArgs(`127.0.0.1:${voice.sipPort}`, mediaPort, [
      '-sf',
      path.join(SCENARIOS, 'caller-dtmf.xml'),
      '-t',
      transport,
      '-rtp_echo',
      '-m',
      '1',
      '-s',
      service,
      '-timeout',
      '20s',
      '-timeout_error',
    ]),
    { timeoutMs: 30_000 },
  );
  expect(result.code, result.output).toBe(0);
  const seen = calls[before];
  if (!seen) throw new Error('the server saw no call');
  return { seen, cause: await seen.ended };
}

describe.skipIf(!haveSipp)('voice over SIP with a real sipp caller', () => {
  it.each([
    ['UDP', 'u1'],
    ['TCP', 't1'],
  ] as const)(
    'over %s: dials in, hears the prompt, presses 1 (reported once) and hangs up',
    async (_, transport) => {
      expect(DTMF_PCAP).toMatch(/dtmf_2833_1/);
      const { seen, cause } = await sippCall(transport);
      expect(seen.call.from.user).toBe('caller');
      expect(seen.call.to.user).toBe('ivr');
      // The pcap sends the end packet three times: one digit.
      expect(seen.digits.map((d) => d.digit)).toEqual(['1']);
      expect(seen.collected).toEqual({ digits: '1', reason: 'max' });
      const stats = await seen.call.media.stats();
      // About 2.5 s of prompt before the caller hung up; sipp echoed it back, so it arrived.
      expect(stats.framesPlayed).toBeGreaterThan(80);
      expect(seen.heard).toBeGreaterThan(40);
      expect(stats.dtmfReceived).toBe(1);
      expect(cause).toBe('caller-hangup');
      expect(seen.call.state).toBe('ended');
    },
  );

  it("drives a call through the IVR's MediaCall: a µ-law prompt played to the end, then the digit typed during it", async () => {
    const samples = new Int16Array(4000).map((_, i) => Math.round(6000 * Math.sin(i / 3)));
    const prompt = toPromptAudio(samples, 8000);
    const outcome: { played?: boolean; digits?: string; error?: unknown } = {};
    voice.calls.onCall(async (call) => {
      const media = toMediaCall(call);
      try {
        await media.answer();
        await media.play(prompt);
        outcome.played = true;
        outcome.digits = await media.collectDigits({ max: 1, timeoutMs: 5000 });
        await new Promise((r) => call.once('ended', r));
        await media.play(prompt);
      } catch (err) {
        outcome.error = err;
      }
    });
    try {
      const mediaPort = await freeMediaPort();
      const result = await runSipp(
        sippArgs(`127.0.0.1:${voice.sipPort}`, mediaPort, [
          '-sf',
          path.join(SCENARIOS, 'caller-dtmf.xml'),
          '-rtp_echo',
          '-m',
          '1',
          '-timeout',
          '20s',
          '-timeout_error',
        ]),
        { timeoutMs: 30_000 },
      );
      expect(result.code, result.output).toBe(0);
      await new Promise((r) => setTimeout(r, 100));
      expect(outcome.played).toBe(true);
      expect(outcome.digits).toBe('1');
      // Once the caller has gone, the IVR is told so.
      expect(outcome.error).toBeInstanceOf(CallerHungUp);
    } finally {
      voice.calls.onCall(ivr);
    }
  });

  it("bridges a caller to an agent: the caller's digit reaches the agent's phone through the bridge and back", async () => {
    // The agent's phone (agent.xml with -rtp_echo) echoes what it hears; the caller does not.
    // So the caller's RFC 4733 packets cross the bridge, come back from the agent's phone, and are
    // heard as a digit on the agent's leg too.
    let agent: Call | undefined;
    const agentUp = new Promise<Call>((resolve) => {
      voice.calls.onCall(async (call) => {
        await call.answer();
        if (call.to.user === 'agent') {
          agent = call;
          resolve(call);
          return;
        }
        call.bridge(await agentUp);
      });
    });
    const digits: Record<string, string[]> = { agent: [], caller: [] };
    voice.calls.on('call.dtmf', (call, e) => digits[call === agent ? 'agent' : 'caller']!.push(e.digit));
    try {
      const agentPhone = startSipp(
        sippArgs(`127.0.0.1:${voice.sipPort}`, await freeMediaPort(), [
          '-sf',
          path.join(SCENARIOS, 'agent.xml'),
          '-s',
          'agent',
          '-rtp_echo',
          '-m',
          '1',
          '-d',
          '4000',
          '-timeout',
          '20s',
          '-timeout_error',
        ]),
        { timeoutMs: 30_000 },
      );
      const agentCall = await agentUp;
      const caller = await runSipp(
        sippArgs(`127.0.0.1:${voice.sipPort}`, await freeMediaPort(), [
          '-sf',
          path.join(SCENARIOS, 'caller-dtmf.xml'),
          '-s',
          'customer',
          '-m',
          '1',
          '-timeout',
          '20s',
          '-timeout_error',
        ]),
        { timeoutMs: 30_000 },
      );
      expect(caller.code, caller.output).toBe(0);
      // The caller hung up: the agent's leg is unbridged and still up until the agent hangs up.
      expect(agentCall.state).toBe('answered');
      const agentResult = await agentPhone.done;
      expect(agentResult.code, agentResult.output).toBe(0);
      expect(digits).toEqual({ caller: ['1'], agent: ['1'] });
      expect(agentCall.endCause).toBe('caller-hangup');
    } finally {
      voice.calls.removeAllListeners('call.dtmf');
      voice.calls.onCall(ivr);
    }
  });

  it('leaves no call or RTP port behind', async () => {
    await new Promise((r) => setTimeout(r, 50));
    expect(voice.calls.calls).toHaveLength(0);
    expect(voice.sip.calls).toBe(0);
    expect((await voice.media.stats()).sessions).toBe(0);
  });
});

/** A bare UDP peer for protocol cases sipp cannot express compactly. */
async function udpPeer() {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const inbox: string[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (m) => {
    inbox.push(m.toString('latin1'));
    for (const w of waiters.splice(0)) w();
  });
  const port = socket.address().port;
  return {
    port,
    inbox,
    send(text: string) {
      socket.send(Buffer.from(text, 'latin1'), voice.sipPort, '127.0.0.1');
    },
    async next(match: RegExp, timeoutMs = 3000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = inbox.findIndex((m) => match.test(m));
        if (i >= 0) return inbox.splice(i, 1)[0]!;
        if (Date.now() > deadline)
          throw new Error(`no message matching ${match} in ${JSON.stringify(inbox)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
    close: () => socket.close(),
  };
}

let seq = 0;
function request(
  method: string,
  port: number,
  options: {
    callId?: string;
    body?: string;
    toTag?: string;
    branch?: string;
    cseq?: number;
    user?: string;
  } = {},
) {
  const callId = options.callId ?? `t-${++seq}@127.0.0.1`;
  const body = options.body ?? '';
  return [
    `${method} sip:${options.user ?? 'ivr'}@127.0.0.1:${voice.sipPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${options.branch ?? `z9hG4bK-${++seq}`};rport`,
    `From: <sip:tester@127.0.0.1:${port}>;tag=from-${callId.replace(/@.*/, '')}`,
    `To: <sip:${options.user ?? 'ivr'}@127.0.0.1>${options.toTag ? `;tag=${options.toTag}` : ''}`,
    `Call-ID: ${callId}`,
    `CSeq: ${options.cseq ?? 1} ${method}`,
    `Contact: <sip:tester@127.0.0.1:${port}>`,
    'Max-Forwards: 70',
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
}

const sdp = (port: number, payloads: string, extra = '') =>
  `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP ${payloads}\r\n${extra}`;

describe('SIP answers from the stack', () => {
  it('OPTIONS is 200 with Allow; REGISTER is 405; an unknown method is 501', async () => {
    const peer = await udpPeer();
    peer.send(request('OPTIONS', peer.port));
    expect(await peer.next(/^SIP\/2\.0 200/)).toMatch(/Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO/);
    peer.send(request('REGISTER', peer.port));
    expect(await peer.next(/^SIP\/2\.0 405/)).toMatch(/Allow: /);
    peer.send(request('FROBNICATE', peer.port));
    await peer.next(/^SIP\/2\.0 501/);
    peer.close();
  });

  it('a BYE for no call is 481', async () => {
    const peer = await udpPeer();
    peer.send(request('BYE', peer.port, { toTag: 'nope', cseq: 2 }));
    await peer.next(/^SIP\/2\.0 481/);
    peer.close();
  });

  it('an offer without G.711 is 488, and the call never reaches the handler', async () => {
    const peer = await udpPeer();
    const before = calls.length;
    peer.send(request('INVITE', peer.port, { body: sdp(7000, '18', 'a=rtpmap:18 G729/8000\r\n') }));
    await peer.next(/^SIP\/2\.0 488/);
    expect(calls.length).toBe(before);
    peer.close();
  });

  it('a call the handler refuses gets its status (486)', async () => {
    const peer = await udpPeer();
    peer.send(request('INVITE', peer.port, { body: sdp(7000, '0'), user: 'busy' }));
    const busy = await peer.next(/^SIP\/2\.0 486/);
    expect(busy).toMatch(/To: .*;tag=/);
    peer.close();
  });

  it('CANCEL while ringing: 200 to the CANCEL, 487 to the INVITE, the call ends as canceled', async () => {
    const peer = await udpPeer();
    const callId = 'cancel-me@127.0.0.1';
    const branch = 'z9hG4bK-cancel-1';
    voice.calls.onCall(() => {}); // rings forever
    try {
      peer.send(request('INVITE', peer.port, { callId, branch, body: sdp(7000, '0') }));
      await peer.next(/^SIP\/2\.0 180/);
      const call = voice.calls.calls.find((c) => c.sipCallId === callId)!;
      const ended = new Promise((r) => call.once('ended', r));
      peer.send(request('CANCEL', peer.port, { callId, branch }));
      await peer.next(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 1 CANCEL/);
      await peer.next(/^SIP\/2\.0 487/);
      expect(await ended).toBe('caller-canceled');
    } finally {
      voice.calls.onCall(ivr);
      peer.close();
    }
  });

  it('a delayed offer (INVITE without SDP) gets our offer in the 200 and the answer from the ACK', async () => {
    const peer = await udpPeer();
    let answered: Call | undefined;
    voice.calls.onCall(async (call) => {
      await call.answer();
      answered = call;
    });
    const callId = 'late-offer@127.0.0.1';
    peer.send(request('INVITE', peer.port, { callId }));
    const ok = await peer.next(/^SIP\/2\.0 200/);
    expect(ok).toMatch(/m=audio \d+ RTP\/AVP 0 8 101/);
    const toTag = /^To: .*;tag=([^;\r\n]+)/m.exec(ok)![1]!;
    peer.send(request('ACK', peer.port, { callId, toTag, body: sdp(7002, '8') }));
    await new Promise((r) => setTimeout(r, 100));
    expect(answered?.state).toBe('answered');
    const hungUp = answered!.hangup();
    const bye = await peer.next(/^BYE /);
    const copied = bye.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
    peer.send(['SIP/2.0 200 OK', ...copied, 'Content-Length: 0', '', ''].join('\r\n'));
    await hungUp;
    expect(answered!.endCause).toBe('hangup');
    voice.calls.onCall(ivr);
    peer.close();
  });
});

describe('voice in the app', () => {
  it('listens on SIP_PORT=0 with the rest of Switchboard, and stays off with a warning when the port is taken', async () => {
    const t = await startTestApp('pglite');
    try {
      expect(t.sb.voice?.sipPort).toBeGreaterThan(0);
      const taken = t.sb.voice!.sipPort;
      const second = await startTestApp('pglite', { env: { SIP_PORT: String(taken) } });
      try {
        expect(second.sb.voice).toBeUndefined();
        expect((await second.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      await t.close();
    }
  });
});
