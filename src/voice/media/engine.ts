// The embedded media engine: RTP sessions on ports from a range, and the mixers conferences use, all
// driven by one MediaClock.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import { MediaClock } from './clock.js';
import {
  type MediaEngine,
  type MediaEngineStats,
  type MediaSession,
  type Mixer,
  NoMediaPorts,
} from './contract.js';
import { RtpMixer } from './mixer.js';
import { PortPool } from './ports.js';
import { RtpSession, type SessionHost } from './session.js';

export interface EmbeddedMediaOptions {
  /** Address RTP sockets bind to. */
  host: string;
  portMin: number;
  portMax: number;
  logger: Logger;
  /** Send silence while nothing plays (default true). */
  sendSilence?: boolean;
  /** How long a new session may latch onto a source other than the SDP's (default 5 s). */
  latchWindowMs?: number;
}

/** Ports another program holds are skipped (and tried again later); this many in a row is an error. */
const MAX_BIND_ATTEMPTS = 20;

export function createEmbeddedMediaEngine(options: EmbeddedMediaOptions): MediaEngine {
  const { logger } = options;
  const pool = new PortPool(options.portMin, options.portMax);
  const sessions = new Set<RtpSession>();
  const mixers = new Set<RtpMixer>();
  const clock = new MediaClock((err) => logger.error({ err }, 'media: session tick failed'));
  let counter = 0;
  let mixerCounter = 0;
  const host: SessionHost = {
    clock,
    totals: { sent: 0, received: 0 },
    sendSilence: options.sendSilence ?? true,
    latchWindowMs: options.latchWindowMs ?? 5000,
    released(session) {
      sessions.delete(session);
      pool.give(session.localPort);
    },
    warn: (context, message) => logger.warn(context, message),
  };

  async function bind(port: number): Promise<dgram.Socket | undefined> {
    const socket = dgram.createSocket({ type: net.isIPv6(options.host) ? 'udp6' : 'udp4' });
    return new Promise((resolve) => {
      socket.once('error', () => {
        socket.close();
        resolve(undefined);
      });
      socket.bind(port, options.host, () => {
        socket.removeAllListeners('error');
        socket.on('error', (err) => logger.debug({ err, port }, 'media: RTP socket error'));
        resolve(socket);
      });
    });
  }

  return {
    kind: 'embedded',
    async allocate(): Promise<MediaSession> {
      for (let attempt = 0; attempt < MAX_BIND_ATTEMPTS; attempt++) {
        const port = pool.take();
        if (port === undefined) break;
        const socket = await bind(port);
        if (!socket) {
          logger.debug({ port }, 'media: RTP port in use by another program; skipped');
          pool.give(port);
          continue;
        }
        const session = new RtpSession(`rtp-${++counter}`, port, socket, host);
        sessions.add(session);
        return session;
      }
      throw new NoMediaPorts();
    },
    createMixer(): Mixer {
      const mixer = new RtpMixer(`mix-${++mixerCounter}`, clock, (m) => mixers.delete(m));
      mixers.add(mixer);
      return mixer;
    },
    async stats(): Promise<MediaEngineStats> {
      return {
        sessions: sessions.size,
        portsFree: pool.available,
        timer: clock.lateness.summary(),
        packetsSent: host.totals.sent,
        packetsReceived: host.totals.received,
      };
    },
    async resetTimerStats() {
      clock.lateness.reset();
    },
    async close() {
      for (const mixer of [...mixers]) mixer.close();
      for (const session of [...sessions]) session.release();
      clock.stop();
    },
  };
}
