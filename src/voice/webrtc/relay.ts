// The loopback UDP socket between a peer connection and its media session. To the session it is an
// ordinary RTP peer (it `connect`s to this socket), so prompts, bridging, recording and digits work
// unchanged; werift does the DTLS-SRTP side.
import dgram from 'node:dgram';
import type { MediaSession } from '../media/index.js';

export interface RtpRelay {
  /** Our socket's address and port: what the session is connected to. */
  readonly address: string;
  readonly port: number;
  /** Plain RTP the browser sent, on to the session. */
  toSession(packet: Buffer): void;
  close(): void;
}

export interface RelayOptions {
  /** Where the engine's sessions listen (the relay binds to the same address). */
  host: string;
  session: MediaSession;
  /** RTP from the session (audio and anything else it sends), for the browser. */
  fromSession(packet: Buffer): void;
  onError(err: Error): void;
}

/** Binds a relay socket on `host` and starts passing what the session sends to `fromSession`. */
export async function openRelay(options: RelayOptions): Promise<RtpRelay> {
  const { host, session } = options;
  const socket = dgram.createSocket('udp4');
  let closed = false;
  socket.on('error', (err) => options.onError(err));
  socket.on('message', (msg, from) => {
    // Only the session may speak to us; anything else on this port is noise.
    if (from.port === session.localPort && from.address === host) options.fromSession(msg);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const { port } = socket.address();
  return {
    address: host,
    port,
    toSession(packet) {
      if (closed || session.released) return;
      socket.send(packet, session.localPort, host);
    },
    close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}
