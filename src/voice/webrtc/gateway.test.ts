import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  RtpHeader,
  RtpPacket,
} from 'werift';
import { waitFor } from '../../../test/support/wait.js';
import { decodeFrame, encodedClip, FRAME_SAMPLES } from '../media/audio.js';
import {
  createEmbeddedMediaEngine,
  createWorkerMediaEngine,
  type MediaEngine,
  NoMediaPorts,
  tone,
} from '../media/index.js';
import { createWebRtcGateway, type WebRtcGateway, type WebRtcLeg, WebRtcOfferInvalid } from './index.js';

const logger = pino({ level: 'silent' });
let engine: MediaEngine;
let gateway: WebRtcGateway;
const clients: RTCPeerConnection[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((pc) => pc.close()));
  await gateway?.close();
  await engine?.close();
});

function start(timeouts: { connectTimeoutMs?: number; silenceTimeoutMs?: number } = {}, ports = 20): void {
  const min = 38000 + Math.floor(Math.random() * 500) * 20;
  engine = createEmbeddedMediaEngine({ host: '127.0.0.1', portMin: min, portMax: min + ports - 1, logger });
  gateway = createWebRtcGateway({ media: engine, host: '127.0.0.1', logger, ...timeouts });
}

/** A second werift peer connection playing the agent's browser: it offers, we answer. */
interface FakeBrowser {
  pc: RTCPeerConnection;
  transceiver: RTCRtpTransceiver;
  /** Decoded frames the browser received, in order. */
  heard: Int16Array[];
  /** Sends a clip as PCMU, one RTP packet per 20 ms frame (as fast as it can: no pacing needed here). */
  say(samplesMs: number): void;
}

async function browserPeer(): Promise<{ browser: FakeBrowser; offerSdp: string }> {
  const pc = new RTCPeerConnection({
    codecs: {
      audio: [
        new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }),
      ],
    },
    iceServers: [],
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  clients.push(pc);
  const transceiver = pc.addTransceiver('audio', { direction: 'sendrecv' });
  const heard: Int16Array[] = [];
  transceiver.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((rtp) => {
      if (rtp.header.payloadType === 0) heard.push(decodeFrame('PCMU', rtp.payload));
    }),
  );
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== 'complete') await pc.iceGatheringStateChange.watch((s) => s === 'complete');
  let seq = 1;
  let ts = 0;
  const say = (ms: number): void => {
    const bytes = encodedClip(tone(700, ms), 'PCMU');
    for (let at = 0; at + FRAME_SAMPLES <= bytes.length; at += FRAME_SAMPLES) {
      const header = new RtpHeader({
        payloadType: 0,
        sequenceNumber: seq++ & 0xffff,
        timestamp: ts,
        ssrc: 1234,
      });
      ts += FRAME_SAMPLES;
      void transceiver.sender.sendRtp(
        new RtpPacket(header, Buffer.from(bytes.subarray(at, at + FRAME_SAMPLES))),
      );
    }
  };
  return { browser: { pc, transceiver, heard, say }, offerSdp: pc.localDescription!.sdp };
}

/** Offer, answer, and both ends connected. */
async function call(id: string): Promise<{ browser: FakeBrowser; leg: WebRtcLeg }> {
  const { browser, offerSdp } = await browserPeer();
  const { leg, answerSdp } = await gateway.answer({ id, offerSdp });
  expect(leg.state).toBe('ringing');
  await browser.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  await waitFor(() => leg.state === 'answered' && browser.pc.connectionState === 'connected');
  return { browser, leg };
}

const loud = (frame: Int16Array): boolean => frame.some((s) => Math.abs(s) > 1000);

describe('the WebRTC gateway', () => {
  it('answers a browser offer with G.711 only and its host candidate, and the leg comes up answered', async () => {
    start();
    const { browser, offerSdp } = await browserPeer();
    const { leg, answerSdp } = await gateway.answer({ id: 'agent-1', offerSdp });
    expect(leg.kind).toBe('webrtc');
    expect(answerSdp).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0\b/m);
    expect(answerSdp).toMatch(/^a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/m);
    expect(answerSdp).not.toMatch(/^a=candidate:\S+ 1 udp \d+ (?!127\.0\.0\.1 )/m);
    const answered = new Promise((resolve) => leg.once('answered', () => resolve(true)));
    await browser.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    expect(await answered).toBe(true);
    expect(leg.state).toBe('answered');
    expect(leg.answeredAt).toBeTypeOf('number');
  });

  it('plays a tone to the browser, and hands what the browser says to onAudio', async () => {
    start();
    const { browser, leg } = await call('agent-1');
    void leg.play(tone(440, 400));
    await waitFor(() => browser.heard.some(loud));

    const frames: Int16Array[] = [];
    leg.media.onAudio((pcm) => frames.push(pcm));
    browser.say(200);
    await waitFor(() => frames.filter(loud).length >= 5);
  });

  it('works the same over the media worker thread: a tone to the browser, the browser heard', async () => {
    const min = 38000 + Math.floor(Math.random() * 500) * 20;
    engine = await createWorkerMediaEngine({ host: '127.0.0.1', portMin: min, portMax: min + 19, logger });
    gateway = createWebRtcGateway({ media: engine, host: '127.0.0.1', logger });
    const { browser, leg } = await call('agent-1');
    void leg.play(tone(440, 400));
    await waitFor(() => browser.heard.some(loud));
    const frames: Int16Array[] = [];
    leg.media.onAudio((pcm) => frames.push(pcm));
    browser.say(200);
    await waitFor(() => frames.filter(loud).length >= 5);
  });

  it('drops the browser audio while muted, and passes it again when unmuted', async () => {
    start();
    const { browser, leg } = await call('agent-1');
    const frames: Int16Array[] = [];
    leg.media.onAudio((pcm) => frames.push(pcm));
    leg.setMuted(true);
    expect(leg.muted).toBe(true);
    browser.say(200);
    await waitFor(() => leg.fromBrowser.dropped === 10);
    leg.setMuted(false);
    expect(leg.muted).toBe(false);
    browser.say(20);
    await waitFor(() => leg.fromBrowser.packets === 11);
    await waitFor(() => frames.length >= 1);
    expect(frames).toHaveLength(1);
    expect((await leg.media.stats()).packetsReceived).toBe(1);
  });

  it('holds and resumes an answered leg, with events, and refuses to hold a ringing one', async () => {
    start();
    const { browser: _b, offerSdp } = await browserPeer();
    const ringing = (await gateway.answer({ id: 'agent-0', offerSdp })).leg;
    expect(() => ringing.hold()).toThrow(/ringing/);
    const { leg } = await call('agent-1');
    const events: string[] = [];
    leg.on('held', () => events.push('held'));
    leg.on('resumed', () => events.push('resumed'));
    leg.hold();
    expect(leg.state).toBe('held');
    leg.resume();
    expect(leg.state).toBe('answered');
    expect(events).toEqual(['held', 'resumed']);
  });

  it('bridges two browser legs: what one says, the other hears', async () => {
    start();
    const a = await call('agent-a');
    const b = await call('agent-b');
    a.leg.bridge(b.leg);
    expect(a.leg.state).toBe('bridged');
    expect(b.leg.bridgedTo).toBe(a.leg);
    const before = b.browser.heard.filter(loud).length;
    a.browser.say(400);
    await waitFor(() => b.browser.heard.filter(loud).length >= before + 5);
  });

  it('hangs up: the leg ends, its media session is released, and the engine has no session left', async () => {
    start();
    const { leg } = await call('agent-1');
    expect((await engine.stats()).sessions).toBe(1);
    const ended = new Promise((resolve) => leg.once('ended', resolve));
    await leg.hangup();
    expect(await ended).toBe('hangup');
    expect(leg.state).toBe('ended');
    expect(leg.media.released).toBe(true);
    await waitFor(async () => (await engine.stats()).sessions === 0);
    expect(await leg.play(tone(440, 100))).toBe('released');
  });

  it('ends a leg whose browser never connects as failed, and releases its media', async () => {
    start({ connectTimeoutMs: 300 });
    const { offerSdp } = await browserPeer();
    const { leg } = await gateway.answer({ id: 'agent-1', offerSdp });
    const ended = new Promise((resolve) => leg.once('ended', resolve));
    expect(await ended).toBe('failed');
    expect(leg.answeredAt).toBeUndefined();
    await waitFor(async () => (await engine.stats()).sessions === 0);
  });

  it('ends as the caller hanging up when the browser goes quiet (a tab that died), not while it talks', async () => {
    start({ silenceTimeoutMs: 1000 });
    const { browser, leg } = await call('agent-1');
    const ended = new Promise((resolve) => leg.once('ended', resolve));
    // Talking for longer than the timeout keeps it up.
    const talking = setInterval(() => browser.say(20), 20);
    await waitFor(() => leg.fromBrowser.packets >= 75);
    expect(leg.state).toBe('answered');
    clearInterval(talking);
    expect(await ended).toBe('caller-hangup');
    await waitFor(async () => (await engine.stats()).sessions === 0);
  });

  it('refuses a browser when the engine has no free port (NoMediaPorts), and the first call carries on', async () => {
    start({}, 2);
    const first = await call('agent-1');
    const { offerSdp } = await browserPeer();
    await expect(gateway.answer({ id: 'agent-2', offerSdp })).rejects.toBeInstanceOf(NoMediaPorts);
    expect((await engine.stats()).sessions).toBe(1);
    expect(first.leg.state).toBe('answered');
  });

  it.each([
    ['garbage', 'hello', /not an SDP body/],
    ['no audio', 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n', /no audio stream/],
    [
      'plain RTP (no DTLS)',
      'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n',
      /not DTLS-SRTP/,
    ],
    [
      'opus only',
      'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\na=fingerprint:sha-256 00:11\r\na=setup:actpass\r\n',
      /no G\.711/,
    ],
  ])('refuses an offer that is %s with WebRtcOfferInvalid, and allocates no media', async (_, sdp, why) => {
    start();
    const err = await gateway.answer({ id: 'agent-1', offerSdp: sdp }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebRtcOfferInvalid);
    expect((err as WebRtcOfferInvalid).code).toBe('VOICE_WEBRTC_OFFER_INVALID');
    expect((err as Error).message).toMatch(why);
    expect((await engine.stats()).sessions).toBe(0);
  });
});
