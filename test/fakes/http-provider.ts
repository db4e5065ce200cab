import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeProvider } from '../../src/channels/channel-contract.js';

export interface FakeRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface FakeAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/**
 * A local HTTP server standing in for a provider's API. `answer` speaks the provider's documented
 * success format; `failNext` makes the next sends fail with a recorded error body.
 */
export async function startHttpFake(
  answer: (req: FakeRequest) => FakeAnswer,
): Promise<FakeProvider & { received: FakeRequest[] }> {
  const received: FakeRequest[] = [];
  const failures: FakeAnswer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const fr: FakeRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(fr);
      const a = failures.shift() ?? answer(fr);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    failNext(status, body, times = 1) {
      for (let i = 0; i < times; i++) failures.push({ status, body });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A RawRequest for an adapter test. */
export function rawRequest(init: {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: string | Buffer;
  publicUrl?: string;
}) {
  const body =
    init.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(init.body)
        ? init.body
        : Buffer.from(init.body);
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
  return {
    method: init.method ?? 'POST',
    url: init.url,
    publicUrl: init.publicUrl ?? `https://switchboard.example.com${init.url}`,
    headers,
    query: init.query ?? {},
    rawBody: body,
  };
}
