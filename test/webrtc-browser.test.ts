import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedMediaEngine, type MediaEngine, tone } from '../src/voice/media/index.js';
import { createWebRtcGateway, type WebRtcGateway, type WebRtcLeg } from '../src/voice/webrtc/index.js';
import { launchBrowser } from './support/browser.js';
import { waitFor } from './support/wait.js';

/**
 * The agent's softphone as Chromium really runs it: getUserMedia on the fake microphone, an offer
 * gathered in full, our werift answer, then audio both ways through the embedded media engine.
 * Chromium hides host addresses behind mDNS names by default; the switch below makes it announce its
 * real address (docs/voice.md, "WebRTC softphone leg").
 */
const browser = await launchBrowser(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);

// The softphone's few lines: the page is plain script so the test compiles without the DOM library.
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>softphone</title></head><body>
<script>
let pc;
async function call(path) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  pc = new RTCPeerConnection();
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
  });
  const res = await fetch(path, { method: 'POST', body: pc.localDescription.sdp });
  if (!res.ok) throw new Error('offer refused: ' + res.status + ' ' + await res.text());
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  return pc.connectionState;
}
async function inbound() {
  const report = await pc.getStats();
  let packets = 0;
  report.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived; });
  return { packets, state: pc.connectionState };
}
function hangUp() { pc.close(); }
</script></body></html>`;

const logger = pino({ level: 'silent' });
let engine: MediaEngine;
let gateway: WebRtcGateway;
/** The same gateway as a full ICE agent (what it is when STUN/TURN servers are configured). */
let fullIce: WebRtcGateway;
let server: http.Server;
let base: string;
const legs: WebRtcLeg[] = [];

beforeAll(async () => {
  const min = 34000 + Math.floor(Math.random() * 500) * 20;
  engine = createEmbeddedMediaEngine({ host: '127.0.0.1', portMin: min, portMax: min + 19, logger });
  gateway = createWebRtcGateway({ media: engine, host: '127.0.0.1', logger });
  fullIce = createWebRtcGateway({ media: engine, host: '127.0.0.1', logger, iceLite: false });
  let count = 0;
  server = http.createServer((req, res) => {
    if (req.method === 'POST' && (req.url === '/offer' || req.url === '/offer-full-ice')) {
      const answering = req.url === '/offer' ? gateway : fullIce;
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        answering.answer({ id: `agent-${++count}`, offerSdp: body }).then(
          ({ leg, answerSdp }) => {
            legs.push(leg);
            res.writeHead(200, { 'content-type': 'application/sdp' });
            res.end(answerSdp);
          },
          (err: Error) => {
            res.writeHead(400, { 'content-type': 'text/plain' });
            res.end(err.message);
          },
        );
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await gateway?.close();
  await fullIce?.close();
  await engine?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await browser?.close();
});

async function softphone(path = '/offer'): Promise<{ page: Page; leg: WebRtcLeg }> {
  const context = await browser!.newContext();
  const page = await context.newPage();
  await page.goto(base);
  const before = legs.length;
  await page.evaluate(`call(${JSON.stringify(path)})`);
  const leg = await waitFor(() => legs[before]);
  return { page, leg };
}

describe.skipIf(!browser)('the WebRTC softphone leg with Chromium', () => {
  it('comes up answered, hears the fake microphone, and plays a tone the browser receives', async () => {
    const { page, leg } = await softphone();
    await waitFor(() => leg.state === 'answered');
    // Chromium's fake microphone beeps: wait for a frame that is not silence.
    let loudest = 0;
    const stop = leg.media.onAudio((pcm) => {
      for (const s of pcm) loudest = Math.max(loudest, Math.abs(s));
    });
    await waitFor(() => loudest > 1000);
    stop();
    const before = (await page.evaluate('inbound()')) as { packets: number };
    void leg.play(tone(440, 2000));
    await waitFor(
      async () => ((await page.evaluate('inbound()')) as { packets: number }).packets > before.packets + 20,
    );
    const stats = await leg.media.stats();
    expect(stats.framesPlayed).toBeGreaterThan(0);
    await page.context().close();
  });

  it('comes up as a full ICE agent too (STUN/TURN configured), with audio from the browser', async () => {
    const { page, leg } = await softphone('/offer-full-ice');
    await waitFor(() => leg.state === 'answered');
    await waitFor(() => leg.fromBrowser.packets > 10);
    await page.context().close();
  });

  it('ends as the caller hanging up when the browser closes its peer connection', async () => {
    const { page, leg } = await softphone();
    await waitFor(() => leg.state === 'answered');
    const ended = new Promise((resolve) => leg.once('ended', resolve));
    await page.evaluate('hangUp()');
    expect(await ended).toBe('caller-hangup');
    expect(leg.media.released).toBe(true);
    await page.context().close();
  });
});
