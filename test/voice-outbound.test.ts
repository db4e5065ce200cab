// Calls we place (the UAC side), with real sipp as the phone we ring: answered over UDP and TCP with
// audio both ways, busy, unanswered (our CANCEL), the far end hanging up, and a caller bridged to the
// phone we rang.
import dgram from 'node:dgram';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DTMF_PCAP, freeMediaPort, runSipp, sippArgs, sippAvailable } from '../bench/voice/sipp.js';
import { type Call, startVoice, tone, type Voice } from '../src/voice/index.js';
import type { EndCause } from '../src/voice/leg.js';
import type { OutboundCall } from '../src/voice/outbound-call.js';
import { BadTarget } from '../src/voice/sip/index.js';
import { SCENARIOS, sippMessages, startCallee } from './support/sipp.js';

const haveSipp = sippAvailable();
const logger = pino({ level: 'silent' });

let voice: Voice;

beforeAll(async () => {
  const rtp = 38000 + 4 * Math.floor(Math.random() * 1000);
  voice = (await startVoice(
    {
      sipHost: '127.0.0.1',
      sipPort: 0,
      publicAddress: undefined,
      rtpPortMin: rtp,
      rtpPortMax: rtp + 199,
    },
    logger,
  ))!;
});

afterAll(async () => {
  await voice?.close();
});

function ended(call: OutboundCall): Promise<EndCause> {
  if (call.endCause) return Promise.resolve(call.endCause);
  return new Promise((resolve) => call.once('ended', resolve));
}

function answered(call: OutboundCall): Promise<void> {
  return new Promise((resolve, reject) => {
    if (call.state !== 'ringing') resolve();
    call.once('answered', resolve);
    call.once('ended', (cause) => reject(new Error(`ended (${cause}) before it was answered`)));
  });
}

describe.skipIf(!haveSipp)('calls we place, with sipp as the phone', () => {
  it.each([
    ['UDP', 'u1'],
    ['TCP', 't1'],
  ] as const)(
    'over %s: sipp answers, the tone we play comes back, our hangup sends BYE and sipp ends cleanly',
    async (_, transport) => {
      const callee = await startCallee('uas', transport, ['-rtp_echo']);
      const call = await voice.calls.dial(callee.uri, {
        callerId: '+4930123456',
        displayName: 'Switch "board"',
      });
      expect(call.kind).toBe('sip-out');
      expect(call.state).toBe('ringing');
      expect(voice.calls.outbound).toContain(call);
      let heard = 0;
      call.media.onAudio((pcm) => {
        if (pcm.some((s) => Math.abs(s) > 500)) heard++;
      });
      await answered(call);
      expect(call.progress).toBe(180);
      expect(await call.play(tone(440, 1500))).toBe('finished');
      await new Promise((r) => setTimeout(r, 200));
      await call.hangup();
      const result = await callee.sipp.done;
      expect(result.code, result.output).toBe(0);
      expect(call.endCause).toBe('hangup');
      // 1.5 s of tone is 75 frames; sipp echoed them, so most arrived back.
      expect(heard).toBeGreaterThan(40);
      const stats = await call.media.stats();
      expect(stats.framesPlayed).toBeGreaterThan(70);
    },
  );

  it('a busy phone (486) ends the leg as busy; sipp got the ACK of its 486', async () => {
    const callee = await startCallee('callee-busy.xml');
    const call = await voice.calls.dial(callee.uri, { callerId: 'queue' });
    expect(await ended(call)).toBe('busy');
    const result = await callee.sipp.done;
    expect(result.code, result.output).toBe(0);
  });

  it('a phone nobody picks up: our ring timeout sends CANCEL, sipp answers 200 and 487, the leg ends no-answer', async () => {
    const callee = await startCallee('callee-no-answer.xml');
    const call = await voice.calls.dial(callee.uri, { callerId: 'queue', ringTimeoutMs: 1500 });
    await new Promise<void>((resolve) => call.once('ended', () => resolve()));
    expect(call.endCause).toBe('no-answer');
    expect(call.progress).toBe(180);
    // The scenario only ends 0 after CANCEL → 200 → 487 → ACK.
    const result = await callee.sipp.done;
    expect(result.code, result.output).toBe(0);
  });

  it('hanging up while it rings sends CANCEL: the leg ends hangup and sipp saw the CANCEL', async () => {
    const callee = await startCallee('callee-no-answer.xml', 't1');
    const call = await voice.calls.dial(callee.uri, { callerId: 'queue' });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (call.progress === 180) {
          clearInterval(poll);
          resolve();
        }
      }, 10);
    });
    await call.hangup();
    expect(call.endCause).toBe('hangup');
    const result = await callee.sipp.done;
    expect(result.code, result.output).toBe(0);
  });

  it('the far end hangs up (its BYE finds our UAC dialog): the leg ends caller-hangup', async () => {
    const callee = await startCallee('callee-hangs-up.xml', 'u1', ['-d', '1000']);
    const call = await voice.calls.dial(callee.uri, { callerId: 'queue' });
    await answered(call);
    expect(await ended(call)).toBe('caller-hangup');
    const result = await callee.sipp.done;
    expect(result.code, result.output).toBe(0);
  });

  it("a sipp caller bridged to a phone we rang: the caller's RFC 4733 digit crosses the bridge to the callee", async () => {
    // The callee (callee.xml with -rtp_echo) echoes what it hears; the caller does not. So the caller's
    // digit reaches the callee through the bridge, comes back from it, and is heard on our outbound leg.
    expect(DTMF_PCAP).toMatch(/dtmf_2833_1/);
    const callee = await startCallee('callee.xml', 'u1', ['-rtp_echo']);
    const digits: Record<'caller' | 'callee', string[]> = { caller: [], callee: [] };
    let outbound: OutboundCall | undefined;
    const bridged = new Promise<void>((resolve, reject) => {
      voice.calls.onCall(async (caller: Call) => {
        try {
          caller.on('dtmf', (e) => digits.caller.push(e.digit));
          const leg = await voice.calls.dial(callee.uri, { callerId: caller.from.user ?? 'anonymous' });
          outbound = leg;
          leg.on('dtmf', (e) => digits.callee.push(e.digit));
          await answered(leg);
          await caller.answer();
          caller.bridge(leg);
          resolve();
        } catch (err) {
          reject(err);
        }
      });
    });
    try {
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
      await bridged;
      const leg = outbound!;
      // The caller hung up: our outbound leg is unbridged and still up until we hang it up.
      expect(leg.state).toBe('answered');
      expect(digits).toEqual({ caller: ['1'], callee: ['1'] });
      await leg.hangup();
      const result = await callee.sipp.done;
      expect(result.code, result.output).toBe(0);
      expect(leg.endCause).toBe('hangup');
    } finally {
      voice.calls.onCall(() => {});
    }
  });

  it('a trunk that challenges (401, digest with qop=auth) gets the INVITE again, signed; it answers', async () => {
    const callee = await startCallee('callee-auth.xml', 'u1', ['-trace_msg']);
    const call = await voice.calls.dial(callee.uri, {
      callerId: 'queue',
      auth: { username: 'alice', password: 'secret' },
    });
    await answered(call);
    // The trunk answered PCMA only: the leg speaks it.
    expect(call.remoteMedia?.codec).toBe('PCMA');
    await call.hangup();
    const result = await callee.sipp.done;
    expect(result.code, result.output).toBe(0);
    const log = sippMessages(result.dir);
    expect(log).toMatch(/CSeq: 2 INVITE[\s\S]*Authorization: Digest [^\r\n]*username="alice"/);
    expect(log).toMatch(/CSeq: 3 BYE/);
  });

  it('wrong credentials: the trunk refuses the signed INVITE (403) and the leg fails', async () => {
    const callee = await startCallee('callee-auth.xml');
    const call = await voice.calls.dial(callee.uri, {
      callerId: 'queue',
      auth: { username: 'alice', password: 'wrong' },
    });
    expect(await ended(call)).toBe('failed');
    const result = await callee.sipp.done;
    expect(result.code, result.output).toBe(0);
  });

  it('a TCP target nobody listens on fails at once; a host name is refused before anything is sent', async () => {
    const port = await freeMediaPort();
    const call = await voice.calls.dial(`sip:agent@127.0.0.1:${port};transport=tcp`, { callerId: 'queue' });
    expect(await ended(call)).toBe('failed');
    await expect(voice.calls.dial('sip:agent@pbx.example.com', { callerId: 'queue' })).rejects.toBeInstanceOf(
      BadTarget,
    );
  });

  it('leaves no call or RTP port behind', async () => {
    await new Promise((r) => setTimeout(r, 100));
    expect(voice.calls.outbound).toHaveLength(0);
    expect(voice.calls.calls).toHaveLength(0);
    expect(voice.sip.calls).toBe(0);
    expect((await voice.media.stats()).sessions).toBe(0);
  });
});

/** A bare UDP phone, for the exchanges sipp cannot be made to do (a 2xx that crosses our CANCEL). */
async function udpPhone() {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const inbox: { text: string; port: number }[] = [];
  socket.on('message', (m, rinfo) => inbox.push({ text: m.toString('latin1'), port: rinfo.port }));
  return {
    uri: `sip:agent@127.0.0.1:${socket.address().port}`,
    /** The next message matching, removed from the inbox. */
    async next(match: RegExp, timeoutMs = 5000): Promise<{ text: string; port: number }> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = inbox.findIndex((m) => match.test(m.text));
        if (i >= 0) return inbox.splice(i, 1)[0]!;
        if (Date.now() > deadline)
          throw new Error(`no ${match} in ${JSON.stringify(inbox.map((m) => m.text))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    count: (match: RegExp) => inbox.filter((m) => match.test(m.text)).length,
    /** A response to `request`: its Via, From, Call-ID and CSeq, our To tag, an SDP answer on a 200. */
    respond(request: { text: string; port: number }, status: string, sdp = '') {
      const lines = request.text.split('\r\n');
      const copy = lines.filter((l) => /^(Via|From|Call-ID|CSeq):/i.test(l));
      const to = lines.find((l) => /^To:/i.test(l))!;
      const text = [
        `SIP/2.0 ${status}`,
        ...copy,
        /;tag=/.test(to) ? to : `${to};tag=phone-1`,
        `Contact: <sip:agent@127.0.0.1:${socket.address().port}>`,
        ...(sdp ? ['Content-Type: application/sdp'] : []),
        `Content-Length: ${sdp.length}`,
        '',
        sdp,
      ].join('\r\n');
      socket.send(Buffer.from(text, 'latin1'), request.port, '127.0.0.1');
    },
    close: () => socket.close(),
  };
}

const answerSdp =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n';

describe('the UAC against a bare UDP phone', () => {
  it('a retransmitted 200 gets the same ACK again (RFC 3261 §13.2.2.4)', async () => {
    const phone = await udpPhone();
    try {
      const call = await voice.calls.dial(phone.uri, { callerId: 'queue' });
      const invite = await phone.next(/^INVITE /);
      phone.respond(invite, '200 OK', answerSdp);
      const first = await phone.next(/^ACK /);
      phone.respond(invite, '200 OK', answerSdp);
      const second = await phone.next(/^ACK /);
      expect(second.text).toBe(first.text);
      expect(first.text).toMatch(/^CSeq: 1 ACK$/m);
      expect(first.text).toMatch(/^To: .*;tag=phone-1$/m);
      expect(call.state).toBe('answered');
      const hungUp = call.hangup();
      const bye = await phone.next(/^BYE /);
      phone.respond(bye, '200 OK');
      await hungUp;
      expect(call.endCause).toBe('hangup');
    } finally {
      phone.close();
    }
  });

  it('a 200 that crosses our CANCEL is ACKed and then hung up with BYE', async () => {
    const phone = await udpPhone();
    try {
      const call = await voice.calls.dial(phone.uri, { callerId: 'queue' });
      const invite = await phone.next(/^INVITE /);
      // No CANCEL before a provisional response (RFC 3261 §9.1): hang up now, ring after.
      await call.hangup();
      expect(call.endCause).toBe('hangup');
      await new Promise((r) => setTimeout(r, 200));
      expect(phone.count(/^CANCEL /)).toBe(0);
      phone.respond(invite, '180 Ringing');
      const cancel = await phone.next(/^CANCEL /);
      const branch = (text: string) => /^Via: .*;branch=([^;\r\n]+)/m.exec(text)?.[1];
      expect(branch(cancel.text)).toBe(branch(invite.text));
      expect(cancel.text).toMatch(/^CSeq: 1 CANCEL$/m);
      // The phone was picked up as the CANCEL crossed: 200 to the CANCEL, 200 (not 487) to the INVITE.
      phone.respond(cancel, '200 OK');
      phone.respond(invite, '200 OK', answerSdp);
      await phone.next(/^ACK /);
      const bye = await phone.next(/^BYE /);
      expect(bye.text).toMatch(/^CSeq: 2 BYE$/m);
      phone.respond(bye, '200 OK');
      await new Promise((r) => setTimeout(r, 100));
      // Nothing left: no pending INVITE, no dialog, no RTP port.
      expect(voice.sip.calls).toBe(0);
      expect((await voice.media.stats()).sessions).toBe(0);
    } finally {
      phone.close();
    }
  });
});
