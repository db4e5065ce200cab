// The baseline for the voice benchmark: the `sip` package's own stack answering every INVITE with 200
// and a fixed SDP, BYE with 200 — no validation, no media, no call control. What Switchboard adds
// costs the difference.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import sip, { type PackageMessage } from 'sip';

const SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=bare',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 9 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  '',
].join('\r\n');

export interface BareAnswerer {
  port: number;
  close(): void;
}

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startBareAnswerer(): Promise<BareAnswerer> {
  const port = await freePort();
  const stack = sip.create({ port, address: '127.0.0.1', udp: true, tcp: false }, (rq) => {
    const headers = rq.headers as { to: { params: Record<string, string> } };
    if (rq.method === 'INVITE') {
      const rs = sip.makeResponse(rq, 200, 'OK');
      headers.to.params.tag = randomBytes(6).toString('hex');
      rs.headers.contact = [{ uri: `sip:bare@127.0.0.1:${port}`, params: {} }];
      rs.headers['content-type'] = 'application/sdp';
      rs.content = SDP;
      stack.send(rs as PackageMessage);
    } else if (rq.method === 'BYE') stack.send(sip.makeResponse(rq, 200, 'OK'));
    else if (rq.method !== 'ACK') stack.send(sip.makeResponse(rq, 405, 'Method Not Allowed'));
  });
  return { port, close: () => stack.destroy() };
}
