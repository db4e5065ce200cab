// SIP over UDP and TCP on one port. Our own sockets rather than the `sip` package's: its listeners have
// no 'error' handler (a port in use kills the process), cannot bind port 0 (`port || 5060`), print to
// the console on a flood, and frame TCP with a regular expression over the whole buffer.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import { MAX_MESSAGE_BYTES, rawErrorResponse, scanHead } from './framing.js';
import type { Flow } from './message.js';

export interface TransportOptions {
  host: string;
  /** 0 picks a free port (the same number for UDP and TCP). */
  port: number;
  logger: Logger;
  onMessage(text: string, flow: Flow): void;
  /** Open TCP connections at most, and per remote address. */
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  /** A TCP connection with no traffic for this long is closed. */
  idleTimeoutMs?: number;
}

export interface SipTransports {
  readonly host: string;
  readonly port: number;
  /**
   * Sends one message; false when it could not be handed to the network. Over TCP with no connection to
   * the peer, one is opened; `onConnectError` hears if that fails (refused, unreachable).
   */
  send(flow: Flow, text: string, onConnectError?: (err: Error) => void): boolean;
  /** Open TCP connections (tests, metrics). */
  readonly connections: number;
  close(): Promise<void>;
}

const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*?)[ \t]*$/im;

export class PortInUse extends Error {
  readonly code = 'VOICE_PORT_IN_USE';
}

export async function openTransports(options: TransportOptions): Promise<SipTransports> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await bindBoth(options);
    } catch (err) {
      // Port 0: UDP got a free port that TCP could not take; another free one will do.
      if (options.port !== 0 || attempt >= 5 || !(err instanceof PortInUse)) throw err;
    }
  }
}

async function bindBoth(options: TransportOptions): Promise<SipTransports> {
  const { logger } = options;
  // A bigger receive buffer rides out bursts (a trunk's INVITE burst, a flood) while the loop is busy;
  // Linux caps it at net.core.rmem_max.
  const udp = dgram.createSocket({
    type: net.isIPv6(options.host) ? 'udp6' : 'udp4',
    recvBufferSize: 4 * 1024 * 1024,
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(asPortError(err, 'udp', options));
    udp.once('error', onError);
    udp.bind(options.port, options.host, () => {
      udp.off('error', onError);
      resolve();
    });
  });
  udp.on('error', (err) => logger.warn({ err }, 'sip: UDP socket error'));
  udp.on('message', (buf, rinfo) => {
    options.onMessage(buf.toString('latin1'), { transport: 'udp', address: rinfo.address, port: rinfo.port });
  });
  const port = udp.address().port;

  const streams = new StreamConnections(options);
  const server = net.createServer((socket) => streams.accept(socket));
  server.maxConnections = options.maxConnections ?? 4096;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(asPortError(err, 'tcp', options)));
      server.listen(port, options.host, () => resolve());
    });
  } catch (err) {
    udp.close();
    throw err;
  }
  server.on('error', (err) => logger.warn({ err }, 'sip: TCP listener error'));

  return {
    host: options.host,
    port,
    send(flow, text, onConnectError) {
      if (flow.transport === 'udp') {
        udp.send(Buffer.from(text, 'latin1'), flow.port, flow.address, (err) => {
          if (err) logger.debug({ err, to: `${flow.address}:${flow.port}` }, 'sip: UDP send failed');
        });
        return true;
      }
      if (flow.transport === 'tcp') return streams.send(flow, text, onConnectError);
      return false;
    },
    get connections() {
      return streams.size;
    },
    async close() {
      streams.closeAll();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => server.close(() => resolve())),
      ]);
    },
  };
}

function asPortError(err: NodeJS.ErrnoException, transport: string, options: TransportOptions): Error {
  if (err.code === 'EADDRINUSE' || err.code === 'EACCES')
    return new PortInUse(`SIP ${transport} port ${options.host}:${options.port}: ${err.code}`);
  return err;
}

/** The open TCP connections, both ways, by `address:port` of the peer. */
class StreamConnections {
  private readonly byPeer = new Map<string, net.Socket>();
  private readonly perAddress = new Map<string, number>();
  private readonly broken = new WeakSet<net.Socket>();

  constructor(private readonly options: TransportOptions) {}

  get size(): number {
    return this.byPeer.size;
  }

  accept(socket: net.Socket): void {
    const address = socket.remoteAddress ?? '';
    const count = this.perAddress.get(address) ?? 0;
    if (count >= (this.options.maxConnectionsPerAddress ?? 256)) {
      socket.destroy();
      return;
    }
    this.track(socket, address, socket.remotePort ?? 0);
  }

  send(flow: Flow, text: string, onConnectError?: (err: Error) => void): boolean {
    const key = flow.connectionId ?? `${flow.address}:${flow.port}`;
    let socket = this.byPeer.get(key);
    if (!socket || socket.destroyed) {
      // RFC 3261 §18.2.2: the connection is gone; a new one to the same peer (for requests we send, and
      // §18.1.1: a call we place over TCP opens one).
      const opened = net.connect({ host: flow.address, port: flow.port });
      if (onConnectError) {
        const failed = (err: Error) => onConnectError(err);
        opened.once('error', failed);
        opened.once('connect', () => opened.off('error', failed));
      }
      this.track(opened, flow.address, flow.port);
      socket = opened;
    } else if (socket.connecting && onConnectError) {
      const waiting = socket;
      const failed = (err: Error) => onConnectError(err);
      waiting.once('error', failed);
      waiting.once('connect', () => waiting.off('error', failed));
    }
    socket.write(text, 'latin1');
    return true;
  }

  closeAll(): void {
    for (const socket of this.byPeer.values()) socket.destroy();
    this.byPeer.clear();
  }

  private track(socket: net.Socket, address: string, port: number): void {
    const key = `${address}:${port}`;
    this.byPeer.set(key, socket);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    const flow: Flow = { transport: 'tcp', address, port, connectionId: key };
    let buffer = '';
    socket.setNoDelay(true);
    socket.setTimeout(this.options.idleTimeoutMs ?? 10 * 60_000, () => socket.destroy());
    socket.on('error', (err) => this.options.logger.debug({ err, peer: key }, 'sip: TCP connection error'));
    socket.on('close', () => {
      if (this.byPeer.get(key) === socket) this.byPeer.delete(key);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.broken.has(socket)) return;
      buffer += chunk.toString('latin1');
      try {
        buffer = this.drain(buffer, socket, flow);
      } catch (err) {
        // The stack catches its own errors; this keeps a bug in framing from taking the process down.
        this.options.logger.error({ err, peer: key }, 'sip: TCP framing failed; closing the connection');
        buffer = '';
        socket.destroy();
      }
    });
  }

  /** Delivers every complete message in `buffer`; returns what is left of it. */
  private drain(input: string, socket: net.Socket, flow: Flow): string {
    let buffer = input;
    for (;;) {
      // RFC 5626 §3.5.1: a CRLF CRLF ping gets a CRLF pong; stray CRLFs between messages are skipped.
      while (buffer.startsWith('\r\n')) {
        if (buffer.startsWith('\r\n\r\n')) {
          socket.write('\r\n');
          buffer = buffer.slice(4);
        } else if (buffer.length >= 4 || buffer === '\r\n') {
          buffer = buffer.slice(2);
        } else return buffer;
      }
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffer.length > MAX_MESSAGE_BYTES) return this.refuse(socket, buffer, 513, 'Message Too Large');
        return buffer;
      }
      const head = buffer.slice(0, end);
      const lengthText = CONTENT_LENGTH.exec(head)?.[1];
      if (lengthText !== undefined && !/^\d{1,10}$/.test(lengthText)) {
        // The stream cannot be framed past this message: answer it (the validator says why) and close.
        this.options.onMessage(`${head}\r\n\r\n`, flow);
        this.closeSoon(socket);
        return '';
      }
      const length = lengthText === undefined ? 0 : Number(lengthText);
      if (end + 4 + length > MAX_MESSAGE_BYTES) return this.refuse(socket, buffer, 513, 'Message Too Large');
      if (buffer.length < end + 4 + length) return buffer;
      const message = buffer.slice(0, end + 4 + length);
      buffer = buffer.slice(end + 4 + length);
      this.options.onMessage(message, flow);
      if (socket.destroyed) return '';
    }
  }

  private refuse(socket: net.Socket, buffer: string, status: number, reason: string): string {
    const cut = buffer.slice(0, MAX_MESSAGE_BYTES);
    const end = cut.indexOf('\r\n\r\n');
    const head = scanHead(end < 0 ? cut.slice(0, cut.lastIndexOf('\r\n') + 1 || 0) : cut.slice(0, end));
    if (/^[!-~]+ \S+ SIP\//.test(head.firstLine))
      socket.write(rawErrorResponse(head, status, reason), 'latin1');
    this.closeSoon(socket);
    return '';
  }

  /**
   * A stream we can no longer frame: read nothing more from it, but keep it open a moment so answers
   * to the requests it already carried (some wait for an RTP port) still reach the peer.
   */
  private closeSoon(socket: net.Socket): void {
    this.broken.add(socket);
    setTimeout(() => socket.end(), 2000).unref();
  }
}
