import type { OutboundMessage, QuickReply, SendContext, SendResult } from '../contract.js';

/**
 * Create a Message (Messages resource): `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
 * form-encoded, HTTP Basic with the account SID and auth token; 201 with the message resource
 * (`sid`, `status`). Errors come as `{code, message, more_info, status}`.
 */
export interface SmsApi {
  accountSid: string;
  authToken: string;
  fromNumber: string;
  apiBaseUrl: string;
  statusCallbackUrl?: string | undefined;
}

type Failure = Exclude<SendResult, { status: 'sent' }>;

function readJson(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * 429 (code 20429, too many requests) and 5xx are worth retrying; every other 4xx describes the
 * message or the account, e.g. 400 with 21211 (invalid To), 21614 (To is not a mobile number),
 * 21610 (the recipient replied STOP), 401 with 20003 (wrong credentials).
 */
export function classifySmsFailure(status: number, body: string): Failure {
  const json = readJson(body);
  const code = typeof json?.code === 'number' ? json.code : undefined;
  const message = typeof json?.message === 'string' ? json.message : undefined;
  const error = `SMS provider answered HTTP ${status}${code ? ` with error ${code}` : ''}${message ? `: ${message}` : ''}`;
  if (status === 429 || code === 20429 || status === 408 || status >= 500)
    return { status: 'retryable', error };
  return { status: 'final', error };
}

/** SMS has no buttons: quick replies become numbered lines the customer can answer with. */
function withQuickReplies(text: string | undefined, quickReplies: QuickReply[] | undefined): string {
  const lines = (quickReplies ?? []).map((q, i) => `${i + 1}. ${q.title}`);
  return [text ?? '', lines.join('\n')].filter(Boolean).join('\n\n');
}

/** Retry-After in seconds, when the provider says how long to wait. */
function retryAfterMs(headers: Record<string, string>): number | undefined {
  const seconds = Number(headers['retry-after']);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export async function sendSms(msg: OutboundMessage, api: SmsApi, ctx: SendContext): Promise<SendResult> {
  if (msg.to.kind !== 'phone')
    return { status: 'final', error: `SMS sends to a phone, not a ${msg.to.kind}` };
  const form = new URLSearchParams({ To: msg.to.value, From: api.fromNumber });
  const text = withQuickReplies(msg.text, msg.quickReplies);
  if (text) form.append('Body', text);
  for (const media of msg.media ?? []) {
    // MMS fetches media from a public URL; a provider handle from another channel means nothing here.
    if (!media.url) return { status: 'final', error: `MMS needs a URL for the ${media.kind}; it has none` };
    form.append('MediaUrl', media.url);
  }
  if (!text && !msg.media?.length)
    return { status: 'final', error: 'the message has neither text nor media' };
  if (api.statusCallbackUrl) form.append('StatusCallback', api.statusCallbackUrl);

  const url = `${api.apiBaseUrl}/2010-04-01/Accounts/${encodeURIComponent(api.accountSid)}/Messages.json`;
  const basic = Buffer.from(`${api.accountSid}:${api.authToken}`, 'utf8').toString('base64');
  let res: Awaited<ReturnType<SendContext['http']['request']>>;
  try {
    res = await ctx.http.request(url, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        accept: 'application/json',
      },
      body: form.toString(),
    });
  } catch (err) {
    return {
      status: 'retryable',
      error: `SMS send failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  if (res.status >= 200 && res.status < 300) {
    const sid = readJson(res.body)?.sid;
    // Accepted but unreadable: sending again could text the customer twice, so do not retry.
    if (typeof sid !== 'string' || !sid) {
      return { status: 'final', error: 'the SMS provider accepted the message but returned no sid' };
    }
    return { status: 'sent', providerMessageId: `sms:${sid}` };
  }
  const failure = classifySmsFailure(res.status, res.body);
  const wait = retryAfterMs(res.headers);
  return failure.status === 'retryable' && wait !== undefined ? { ...failure, retryAfterMs: wait } : failure;
}
