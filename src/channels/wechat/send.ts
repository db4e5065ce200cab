import type { OutboundMessage, QuickReply, SendContext, SendResult } from '../contract.js';

/**
 * Customer-service messages (客服消息, Service_Center_messages): `POST /cgi-bin/message/custom/send`,
 * allowed for 48 hours after the customer last wrote. The access token comes from
 * `GET /cgi-bin/token` (Get_access_token) and lives 7200 s; a new one leaves the previous one valid
 * for 5 more minutes, so two senders refreshing at once do not lock each other out.
 */
export interface WechatApi {
  appId: string;
  appSecret: string;
  apiBaseUrl: string;
}

type Failure = Exclude<SendResult, { status: 'sent' }>;

/** 40001 invalid credential, 40014 invalid access_token, 42001 access_token expired. */
const TOKEN_REJECTED = new Set([40001, 40014, 42001]);
/** -1 system busy, 45009 daily quota reached, 45011 calling too often. */
const TRY_LATER = new Set([-1, 45009, 45011]);
/**
 * From the token endpoint these mean the appId/appSecret or the OA's IP whitelist is wrong (40001
 * there is a wrong AppSecret, not a stale token): fetching again cannot help.
 */
const BAD_CREDENTIALS = new Set([40001, 40002, 40013, 40125, 40164, 41002, 41004, 89503]);
/** Renew this long before WeChat's expiry, so a token is never used in its last moments. */
const TOKEN_MARGIN_MS = 5 * 60 * 1000;
/** The customer-service window; a part sent within it is not sent again when the rest is retried. */
const WINDOW_MS = 48 * 60 * 60 * 1000;

interface ErrorReply {
  errcode: number;
  errmsg: string;
}

function readJson(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function errorReply(body: string): ErrorReply | undefined {
  const v = readJson(body);
  if (typeof v?.errcode !== 'number') return undefined;
  return { errcode: v.errcode, errmsg: typeof v.errmsg === 'string' ? v.errmsg : '' };
}

/** WeChat answers HTTP 200 with `{errcode, errmsg}` for its own errors; other statuses come from its edge. */
export function classifyWechatFailure(status: number, body: string): Failure {
  if (status === 429 || status >= 500)
    return { status: 'retryable', error: `WeChat answered HTTP ${status}` };
  if (status !== 200) return { status: 'final', error: `WeChat answered HTTP ${status}` };
  const reply = errorReply(body);
  if (!reply) return { status: 'retryable', error: 'WeChat answered 200 with a body that is not its JSON' };
  const error = `WeChat errcode ${reply.errcode}: ${reply.errmsg}`;
  // A token still refused after one refresh is most often another system sharing the appId
  // refreshing it under us; that settles, so it is worth another try later.
  if (TRY_LATER.has(reply.errcode) || TOKEN_REJECTED.has(reply.errcode))
    return { status: 'retryable', error };
  // 45015 past the 48-hour window, 40003 not an openid of this OA, 45047 too many messages without
  // a reply from the customer, 43004 not following, 48001 API not granted, 40007 bad media_id, …
  return { status: 'final', error };
}

function tokenKey(api: WechatApi): string {
  return `wechat:access_token:${api.appId}`;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function accessToken(api: WechatApi, ctx: SendContext, renew: boolean): Promise<string | Failure> {
  const key = tokenKey(api);
  const cached = renew ? undefined : ctx.cache.get(key);
  if (cached && cached.expiresAt > ctx.now()) return cached.value;
  const url =
    `${api.apiBaseUrl}/cgi-bin/token?grant_type=client_credential` +
    `&appid=${encodeURIComponent(api.appId)}&secret=${encodeURIComponent(api.appSecret)}`;
  let res: Awaited<ReturnType<SendContext['http']['request']>>;
  try {
    res = await ctx.http.request(url, { method: 'GET' });
  } catch (err) {
    return { status: 'retryable', error: `WeChat token request failed: ${reason(err)}` };
  }
  const json = res.status === 200 ? readJson(res.body) : undefined;
  if (typeof json?.access_token === 'string' && typeof json.expires_in === 'number') {
    ctx.cache.set(key, json.access_token, ctx.now() + json.expires_in * 1000 - TOKEN_MARGIN_MS);
    return json.access_token;
  }
  const reply = res.status === 200 ? errorReply(res.body) : undefined;
  if (reply && BAD_CREDENTIALS.has(reply.errcode)) {
    return {
      status: 'final',
      error:
        `WeChat refused the access-token request (errcode ${reply.errcode}: ${reply.errmsg}); ` +
        "check appId, appSecret and the OA's IP whitelist",
    };
  }
  return classifyWechatFailure(res.status, res.body);
}

/** Posts one customer-service message; a refused token is renewed and the post tried once more. */
async function postCustom(api: WechatApi, ctx: SendContext, body: string): Promise<Failure | undefined> {
  for (let attempt = 0; ; attempt++) {
    const token = await accessToken(api, ctx, attempt > 0);
    if (typeof token !== 'string') return token;
    const url = `${api.apiBaseUrl}/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`;
    let res: Awaited<ReturnType<SendContext['http']['request']>>;
    try {
      res = await ctx.http.request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
      });
    } catch (err) {
      return { status: 'retryable', error: `WeChat send failed: ${reason(err)}` };
    }
    const reply = res.status === 200 ? errorReply(res.body) : undefined;
    if (reply?.errcode === 0) return undefined;
    if (attempt === 0 && reply && TOKEN_REJECTED.has(reply.errcode)) {
      ctx.cache.delete(tokenKey(api));
      continue;
    }
    return classifyWechatFailure(res.status, res.body);
  }
}

/** Custom messages have no buttons: quick replies become numbered lines the customer can answer with. */
function withQuickReplies(text: string | undefined, quickReplies: QuickReply[] | undefined): string {
  const lines = (quickReplies ?? []).map((q, i) => `${i + 1}. ${q.title}`);
  return [text ?? '', lines.join('\n')].filter(Boolean).join('\n\n');
}

type Part = Record<string, unknown>;

function partsOf(msg: OutboundMessage): Part[] | Failure {
  const parts: Part[] = [];
  const text = withQuickReplies(msg.text, msg.quickReplies);
  if (text) parts.push({ msgtype: 'text', text: { content: text } });
  for (const media of msg.media ?? []) {
    const mediaId = media.providerMediaId;
    if (!mediaId) {
      return {
        status: 'final',
        error: `WeChat sends a ${media.kind} only by media_id: upload it to WeChat first; a URL alone cannot be sent`,
      };
    }
    if (media.kind === 'image') parts.push({ msgtype: 'image', image: { media_id: mediaId } });
    else if (media.kind === 'audio') parts.push({ msgtype: 'voice', voice: { media_id: mediaId } });
    else if (media.kind === 'video') {
      parts.push({ msgtype: 'video', video: { media_id: mediaId, title: media.caption ?? '' } });
    } else {
      return { status: 'final', error: `WeChat customer-service messages cannot carry a ${media.kind}` };
    }
  }
  if (parts.length === 0) return { status: 'final', error: 'the message has neither text nor media' };
  return parts;
}

/**
 * One API call per part (text, then each media item). WeChat returns no message id, so ours names
 * the result. When a later part fails, the parts already sent are remembered in the cache so a retry
 * of the whole message does not send them twice.
 */
export async function sendWechat(
  msg: OutboundMessage,
  api: WechatApi,
  ctx: SendContext,
): Promise<SendResult> {
  if (msg.to.kind !== 'wechat_openid') {
    return { status: 'final', error: `WeChat sends to a wechat_openid, not a ${msg.to.kind}` };
  }
  const parts = partsOf(msg);
  if (!Array.isArray(parts)) return parts;
  for (const [i, part] of parts.entries()) {
    const doneKey = `wechat:sent:${msg.id}:${i}`;
    const done = ctx.cache.get(doneKey);
    if (done && done.expiresAt > ctx.now()) continue;
    const failure = await postCustom(api, ctx, JSON.stringify({ touser: msg.to.value, ...part }));
    if (failure) return failure;
    if (parts.length > 1) ctx.cache.set(doneKey, 'sent', ctx.now() + WINDOW_MS);
  }
  return { status: 'sent', providerMessageId: `wx-out:${msg.id}` };
}
