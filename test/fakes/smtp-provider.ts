import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { FakeProvider } from '../../src/channels/channel-contract.js';

export interface CapturedMail {
  mailFrom: string;
  rcptTo: string[];
  /** The user the client logged in as, when it did. */
  user: string | undefined;
  raw: string;
}

/** An SMTP reply for smtp-server: it answers an error's `responseCode` and message as they are. */
class Reply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A local SMTP server standing in for the channel's outgoing mail server (or any MTA): it records
 * each message, and `failNext(code, reply)` answers the next messages' DATA with that SMTP reply.
 */
export async function startSmtpFake(): Promise<FakeProvider & { mails: CapturedMail[] }> {
  const mails: CapturedMail[] = [];
  const received: FakeProvider['received'] = [];
  const failures: { code: number; text: string }[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.once('end', () => {
        const failure = failures.shift();
        if (failure) return callback(new Reply(failure.code, failure.text));
        const raw = Buffer.concat(chunks).toString('utf8');
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        const user = typeof session.user === 'string' ? session.user : undefined;
        mails.push({ mailFrom, rcptTo, user, raw });
        received.push({
          method: 'DATA',
          path: rcptTo.join(','),
          headers: { 'mail-from': mailFrom, 'rcpt-to': rcptTo.join(',') },
          body: raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    baseUrl: `smtp://127.0.0.1:${port}`,
    received,
    mails,
    failNext(status, body, times = 1) {
      // Recorded replies start with their code ("421 4.7.0 …"); smtp-server writes the code itself.
      const text = body.replace(new RegExp(`^${status}[ -]`), '');
      for (let i = 0; i < times; i++) failures.push({ code: status, text });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
