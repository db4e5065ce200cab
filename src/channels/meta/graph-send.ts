import type { SendContext, SendResult } from '../contract.js';
import type { Failure } from './graph-errors.js';

/**
 * Posting messages to the Graph API. Both Meta APIs take one piece of content per request, so an
 * outbound message with a text and two images is three requests. The ids of the pieces already
 * accepted are kept in the channel cache under our message id: a retry after a failure halfway
 * resends only what is missing instead of sending the customer the first pieces twice.
 */
export interface GraphSend {
  ctx: SendContext;
  /** Our message id, for the cache keys. */
  messageId: string;
  /** The request bodies, in the order the customer should see them. */
  parts: unknown[];
  post(body: unknown): { url: string; headers: Record<string, string> };
  /** The provider's id for the accepted piece, from a 2xx response body. */
  readId(json: unknown): string | undefined;
  classifyFailure(status: number, body: string): Failure;
  /** `wa:` / `fb:`. */
  idPrefix: string;
}

const PART_MEMORY_MS = 24 * 60 * 60 * 1000;

export async function sendGraphParts(s: GraphSend): Promise<SendResult> {
  let last: string | undefined;
  for (const [i, part] of s.parts.entries()) {
    const key = `${s.idPrefix}part:${s.messageId}:${i}`;
    const remembered = s.ctx.cache.get(key);
    if (remembered && remembered.expiresAt > s.ctx.now()) {
      last = remembered.value;
      continue;
    }
    const result = await postPart(s, part);
    if (result.status !== 'sent') return result;
    s.ctx.cache.set(key, result.providerMessageId, s.ctx.now() + PART_MEMORY_MS);
    last = result.providerMessageId;
  }
  if (last === undefined)
    return { status: 'final', error: 'nothing to send: no text, media or quick replies' };
  // The last piece stands for the message: once it is delivered or read, so are the ones before it.
  return { status: 'sent', providerMessageId: last };
}

async function postPart(s: GraphSend, part: unknown): Promise<SendResult> {
  const { url, headers } = s.post(part);
  let res: { status: number; body: string };
  try {
    res = await s.ctx.http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(part),
    });
  } catch (err) {
    return {
      status: 'retryable',
      error: `network error: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  if (res.status < 200 || res.status >= 300) return s.classifyFailure(res.status, res.body);
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  const id = s.readId(json);
  // Accepted without an id: retrying could send it twice, so stop and let a human look.
  if (!id)
    return { status: 'final', error: `HTTP ${res.status} without a message id: ${res.body.slice(0, 200)}` };
  return { status: 'sent', providerMessageId: `${s.idPrefix}${id}` };
}
