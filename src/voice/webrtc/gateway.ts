// Terminates an agent's browser WebRTC audio: takes the browser's offer, answers it with a werift peer
// connection (G.711 only, so the engine never transcodes; non-trickle: the answer carries every host
// candidate), and joins it to a media session through a loopback relay. The result is a WebRtcLeg.
import type { Logger } from 'pino';
import { type RTCIceServer, RTCPeerConnection, RTCRtpCodecParameters, type RTCRtpTransceiver } from 'werift';
import type { Codec, MediaEngine, MediaSession } from '../media/index.js';
import { WebRtcLeg } from './leg.js';
import { checkOffer, WebRtcOfferInvalid } from './offer.js';
import { openRelay, type RtpRelay } from './relay.js';

export interface WebRtcGatewayOptions {
  media: MediaEngine;
  /** The address our ICE host candidates use (the one browsers can reach; 127.0.0.1 in tests). */
  host: string;
  /** Where the engine's sessions listen (its `host`); 127.0.0.1 also reaches an engine on 0.0.0.0. */
  mediaHost?: string;
  logger: Logger;
  now?: () => number;
  /** STUN/TURN servers for agents behind NAT; none needed on a LAN. */
  iceServers?: RTCIceServer[];
  /** Answer as ICE lite (the browser runs the checks); default: when no `iceServers` are given. */
  iceLite?: boolean;
  /** A leg whose ICE and DTLS are not up by then ends with 'failed' (default 30 s). */
  connectTimeoutMs?: number;
  /** An up leg whose browser sent no RTP for this long ends with 'caller-hangup' (default 30 s). */
  silenceTimeoutMs?: number;
  /** How long gathering our candidates may take before we answer with what we have (default 5 s). */
  gatherTimeoutMs?: number;
}

export interface WebRtcAnswer {
  leg: WebRtcLeg;
  /** The SDP answer for the browser's `setRemoteDescription`, with our candidates in it. */
  answerSdp: string;
}

export interface WebRtcGateway {
  /** Answers a browser's offer; rejects with `WebRtcOfferInvalid` when we cannot. */
  answer(input: { id: string; offerSdp: string }): Promise<WebRtcAnswer>;
  /** Hangs up every leg still up. */
  close(): Promise<void>;
}

// Static payload types: werift needs them set for PCMU/PCMA (its codec docs), and the engine knows 0/8.
const CODECS: { codec: Codec; payloadType: number }[] = [
  { codec: 'PCMU', payloadType: 0 },
  { codec: 'PCMA', payloadType: 8 },
];

export function createWebRtcGateway(options: WebRtcGatewayOptions): WebRtcGateway {
  const { media, host, logger } = options;
  const mediaHost = options.mediaHost ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const legs = new Set<WebRtcLeg>();
  const wildcard = host === '0.0.0.0';
  // Without STUN/TURN servers we answer as ICE lite (RFC 8445 §2.5), as media servers on a reachable
  // address do: the browser runs the checks. It also stops werift asking Google's STUN server for a
  // reflexive address, which it does when given none (up to 5 s before the answer when UDP is blocked).
  const lite = options.iceLite ?? (options.iceServers ?? []).length === 0;

  async function answer(input: { id: string; offerSdp: string }): Promise<WebRtcAnswer> {
    checkOffer(input.offerSdp);
    const pc = peerConnection(options, lite, wildcard);
    let session: MediaSession | undefined;
    let relay: RtpRelay | undefined;
    let leg: WebRtcLeg | undefined;
    try {
      session = await media.allocate();
      const transceiver = pc.addTransceiver('audio', { direction: 'sendrecv' });
      // werift announces the browser's track while it applies the offer, before the leg exists.
      transceiver.onTrack.subscribe((track) => {
        track.onReceiveRtp.subscribe((rtp) => leg?.receiveFromBrowser(rtp.serialize()));
      });
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: input.offerSdp });
      } catch (err) {
        throw new WebRtcOfferInvalid(`werift refused it: ${(err as Error).message}`);
      }
      await pc.setLocalDescription(await pc.createAnswer());
      const chosen = negotiated(transceiver);
      if (!chosen) throw new WebRtcOfferInvalid('no G.711 codec left after negotiation');
      const ours = session;
      relay = await openRelay({
        host: mediaHost,
        session: ours,
        fromSession: (packet) => {
          // Only audio goes to the browser: the sender stamps its own payload type on all it sends.
          if ((packet[1]! & 0x7f) !== chosen.payloadType) return;
          transceiver.sender.sendRtp(packet).catch((err: unknown) => {
            logger.debug({ err, leg: input.id }, 'voice: webrtc send failed');
          });
        },
        onError: (err) => logger.warn({ err, leg: input.id }, 'voice: webrtc relay socket error'),
      });
      ours.connect({
        address: relay.address,
        port: relay.port,
        codec: chosen.codec,
        payloadType: chosen.payloadType,
        dtmfPayloadType: undefined,
        direction: 'sendrecv',
      });
      leg = new WebRtcLeg(input.id, {
        pc,
        dtls: transceiver.dtlsTransport,
        session: ours,
        relay,
        now,
        logger,
        connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
        silenceTimeoutMs: options.silenceTimeoutMs ?? 30_000,
      });
      const made = leg;
      legs.add(made);
      made.once('ended', () => legs.delete(made));
      await gathered(pc, options.gatherTimeoutMs ?? 5000);
      const sdp = pc.localDescription?.sdp;
      if (!sdp) throw new Error('werift produced no local description');
      return { leg: made, answerSdp: wildcard ? sdp : onlyCandidatesOn(host, sdp) };
    } catch (err) {
      if (leg) await leg.hangup();
      relay?.close();
      if (session && !session.released) session.release();
      await pc.close().catch(() => {});
      throw err;
    }
  }

  return {
    answer,
    async close() {
      await Promise.all([...legs].map((leg) => leg.hangup()));
    },
  };
}

function negotiated(t: RTCRtpTransceiver): { codec: Codec; payloadType: number } | undefined {
  for (const c of t.codecs) {
    const name = c.mimeType.split('/')[1]?.toUpperCase();
    const known = CODECS.find((k) => k.codec === name);
    if (known) return { codec: known.codec, payloadType: c.payloadType };
  }
  return undefined;
}

/**
 * werift binds every ICE socket to `host` but still announces the machine's other addresses (it only
 * filters by interface when `host` is one of them, and loopback never is): drop those candidates.
 */
function onlyCandidatesOn(host: string, sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || line.split(' ')[4] === host)
    .join('\r\n');
}

function peerConnection(options: WebRtcGatewayOptions, lite: boolean, wildcard: boolean): RTCPeerConnection {
  const { host } = options;
  return new RTCPeerConnection({
    codecs: {
      audio: CODECS.map(
        ({ codec, payloadType }) =>
          new RTCRtpCodecParameters({
            mimeType: `audio/${codec}`,
            clockRate: 8000,
            channels: 1,
            payloadType,
          }),
      ),
    },
    // No header extensions: the relay passes plain RTP the engine parses as any phone's.
    headerExtensions: { audio: [] },
    iceServers: options.iceServers ?? [],
    iceLite: lite,
    iceUseIpv6: false,
    ...(wildcard ? {} : { iceInterfaceAddresses: { udp4: host }, iceAdditionalHostAddresses: [host] }),
  });
}

/** Non-trickle: the answer goes out once our candidates are all in it. */
async function gathered(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await pc.iceGatheringStateChange.watch((state) => state === 'complete', timeoutMs).catch(() => {});
}
