import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerEnvelope, type SMTPServerSession } from 'smtp-server';
import { DomainError } from '../../core/index.js';
import type { Db } from '../../storage/index.js';
import type { RawRequest } from '../contract.js';
import { type Gateway, WebhookRejected } from '../gateway.js';
import { channelsForAddress } from './mailboxes.js';
import { ENVELOPE } from './verify.js';

/**
 * The SMTP server customers' mail arrives at (as the MX of the support domain, or behind a relay).
 * It is the e-mail channel's webhook: each message goes through `gateway.accept` like any provider's
 * request, and the sending MTA gets 250 only once it is committed. Anything temporary is a 451, so
 * the MTA keeps the message and retries; the Message-ID makes the retry a no-op.
 */
export interface SmtpListenerDeps {
  db: Db;
  gateway: Gateway;
  logger: Logger;
}

export interface SmtpListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Largest message accepted, in bytes (the SIZE extension announces it). */
  maxBytes?: number;
  /** How long `close` lets open sessions finish before closing them with a 421. */
  closeTimeoutMs?: number;
}

export interface SmtpListener {
  readonly port: number;
  /** Refuses new mail, waits for messages being stored, then closes every session. */
  close(): Promise<void>;
}

/** An SMTP reply: smtp-server answers with an error's `responseCode` and message as they are. */
class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

const TEMPORARY = 'try again later';
const DEFAULT_MAX_BYTES = 25 * 1024 * 1024;

/** What the sending MTA should do with a message we could not take: retry (4xx) or bounce (5xx). */
function replyFor(err: unknown): SmtpReply {
  if (err instanceof SmtpReply) return err;
  if (err instanceof WebhookRejected) return new SmtpReply(550, `5.7.1 ${err.message}`);
  // The channel was disabled or deleted since RCPT TO; its id is nothing to tell a stranger.
  if (err instanceof DomainError && err.status === 404) {
    return new SmtpReply(550, '5.1.1 mailbox unavailable');
  }
  if (err instanceof DomainError && err.status < 500) return new SmtpReply(550, `5.6.0 ${err.message}`);
  return new SmtpReply(451, `4.3.0 ${TEMPORARY}`);
}

export async function startSmtpListener(
  deps: SmtpListenerDeps,
  options: SmtpListenerOptions,
): Promise<SmtpListener> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  // Which channel each accepted recipient belongs to, per mail transaction (a new envelope each).
  const routes = new WeakMap<SMTPServerEnvelope, Map<string, string>>();
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  async function route(address: string, session: SMTPServerSession): Promise<void> {
    const ids = await channelsForAddress(deps.db, address);
    if (ids.length === 0) throw new SmtpReply(550, '5.1.1 mailbox unavailable');
    if (ids.length > 1) {
      // Taking it for either could hand one tenant's customer mail to another: keep it queued upstream.
      deps.logger.error(
        { address, channels: ids },
        'smtp: one address is configured on several e-mail channels',
      );
      throw new SmtpReply(451, `4.3.0 ${TEMPORARY}`);
    }
    const known = routes.get(session.envelope) ?? new Map<string, string>();
    known.set(address, ids[0] as string);
    routes.set(session.envelope, known);
  }

  async function deliver(raw: Buffer, session: SMTPServerSession): Promise<void> {
    const known = routes.get(session.envelope) ?? new Map<string, string>();
    const byChannel = new Map<string, string>();
    for (const rcpt of session.envelope.rcptTo) {
      const address = rcpt.address.toLowerCase();
      const channelId = known.get(address);
      if (channelId && !byChannel.has(channelId)) byChannel.set(channelId, address);
    }
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    for (const [channelId, address] of byChannel) {
      const req: RawRequest = {
        method: 'SMTP',
        url: `/smtp/email/${channelId}`,
        publicUrl: `smtp:${address}`,
        headers: {
          [ENVELOPE.rcptTo]: address,
          [ENVELOPE.mailFrom]: mailFrom,
          [ENVELOPE.remoteAddress]: session.remoteAddress,
        },
        query: {},
        rawBody: raw,
      };
      await deps.gateway.accept('email', channelId, req);
    }
  }

  function track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return work;
  }

  const server = new SMTPServer({
    banner: 'Switchboard',
    logger: false,
    // We are where mail for the support address ends, not a submission server: no logins. No
    // STARTTLS either until a certificate can be configured (smtp-server's built-in key is public).
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    closeTimeout: options.closeTimeoutMs ?? 10_000,
    onMailFrom(_address, _session, callback) {
      if (closing) return callback(new SmtpReply(421, `4.3.2 shutting down, ${TEMPORARY}`));
      callback();
    },
    onRcptTo(address, session, callback) {
      const rcpt = address.address.trim().toLowerCase();
      track(route(rcpt, session)).then(
        () => callback(),
        (err: unknown) => {
          if (!(err instanceof SmtpReply)) deps.logger.error({ err, rcpt }, 'smtp: recipient lookup failed');
          callback(replyFor(err));
        },
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.once('end', () => {
        if (stream.sizeExceeded) {
          callback(new SmtpReply(552, `5.3.4 message exceeds the limit of ${maxBytes} bytes`));
          return;
        }
        track(deliver(Buffer.concat(chunks), session)).then(
          () => callback(),
          (err: unknown) => {
            const reply = replyFor(err);
            const context = { err, session: session.id, remote: session.remoteAddress };
            if (reply.responseCode >= 500) deps.logger.warn(context, 'smtp: message refused');
            else deps.logger.error(context, 'smtp: message not stored; the sender will retry');
            callback(reply);
          },
        );
      });
    },
  });
  server.on('error', (err) => deps.logger.warn({ err }, 'smtp: connection error'));

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  deps.logger.info({ host: options.host, port }, 'smtp: listening');

  let closed: Promise<void> | undefined;
  return {
    port,
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        while (inFlight.size) await Promise.all([...inFlight]);
        // Nothing is being stored any more; idle sessions need not wait out the grace period.
        for (const connection of server.connections) {
          connection.send(421, `4.3.2 shutting down, ${TEMPORARY}`);
          connection.close();
        }
        await stopped;
      })();
      return closed;
    },
  };
}
