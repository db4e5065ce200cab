import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memoryCache, runChannelContract, sendContext } from '../../src/channels/channel-contract.js';
import type { OutboundMessage, SendContext } from '../../src/channels/contract.js';
import { type WechatConfig, wechatAdapter } from '../../src/channels/wechat/index.js';
import { InvalidInput } from '../../src/core/index.js';
import { type FakeRequest, rawRequest, startHttpFake } from '../fakes/http-provider.js';

const TOKEN = 'switchboard2024';
const APP_ID = 'wx1234567890abcdef';
const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
const WEBHOOK = '/webhooks/wechat/9b2f0c4e';

/** Access_Overview: SHA-1 over [token, timestamp, nonce] sorted lexicographically and joined. */
function signedQuery(extra: Record<string, string> = {}, token = TOKEN) {
  const timestamp = '1348831860';
  const nonce = '1624437580';
  const signature = createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
  return { signature, timestamp, nonce, ...extra };
}

function push(xml: string, query: Record<string, string> = signedQuery({ openid: OPENID })) {
  const qs = new URLSearchParams(query).toString();
  return rawRequest({
    method: 'POST',
    url: `${WEBHOOK}?${qs}`,
    query,
    headers: { 'content-type': 'text/xml' },
    body: xml,
  });
}

// Shaped like the examples in Receiving_standard_messages and Receiving_event_pushes.
const TEXT_XML = `<xml>
  <ToUserName><![CDATA[gh_3a8b2c4d5e6f]]></ToUserName>
  <FromUserName><![CDATA[${OPENID}]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[你好，我的订单 SO123 还没到]]></Content>
  <MsgId>1234567890123456</MsgId>
</xml>`;

const IMAGE_XML = `<xml>
  <ToUserName><![CDATA[gh_3a8b2c4d5e6f]]></ToUserName>
  <FromUserName><![CDATA[${OPENID}]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[image]]></MsgType>
  <PicUrl><![CDATA[http://mmbiz.qpic.cn/mmbiz_jpg/abc123/0]]></PicUrl>
  <MediaId><![CDATA[media_id_image_1]]></MediaId>
  <MsgId>1234567890123457</MsgId>
</xml>`;

const SUBSCRIBE_XML = `<xml>
  <ToUserName><![CDATA[gh_3a8b2c4d5e6f]]></ToUserName>
  <FromUserName><![CDATA[${OPENID}]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[subscribe]]></Event>
</xml>`;

function wechatFake() {
  let issued = 0;
  return startHttpFake((req: FakeRequest) => {
    if (req.path.startsWith('/cgi-bin/token')) {
      issued += 1;
      return {
        status: 200,
        body: JSON.stringify({ access_token: `ACCESS_TOKEN_${issued}`, expires_in: 7200 }),
      };
    }
    if (req.path.startsWith('/cgi-bin/message/custom/send')) {
      return { status: 200, body: '{"errcode":0,"errmsg":"ok"}' };
    }
    return { status: 404, body: '' };
  });
}

const config = (baseUrl: string): WechatConfig => ({
  appId: APP_ID,
  appSecret: '0123456789abcdef0123456789abcdef',
  token: TOKEN,
  apiBaseUrl: baseUrl,
});

const outbound: OutboundMessage = {
  id: '01910f3c-7b1e-7c55-9a0e-2f4d8c6b1a20',
  to: { kind: 'wechat_openid', value: OPENID },
  text: '您好，我们正在查询订单 SO123',
};

// Recorded replies from the errcode tables of Get_access_token and Service_Center_messages.
const BUSY = '{"errcode":-1,"errmsg":"system error"}';
const DAILY_QUOTA =
  '{"errcode":45009,"errmsg":"reach max api daily quota limit rid: 64e1f0a2-1b2c3d4e-5f6a7b8c"}';
const INVALID_OPENID = '{"errcode":40003,"errmsg":"invalid openid rid: 64e1f0a2-0b1c2d3e-4f5a6b7c"}';
const STALE_TOKEN =
  '{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest rid: 64e1f0a2-2c3d4e5f-6a7b8c9d"}';

runChannelContract(wechatAdapter, {
  startFake: wechatFake,
  config: (fake) => config(fake.baseUrl),
  inbound: {
    text: push(TEXT_XML),
    media: push(IMAGE_XML),
    badSignature: push(TEXT_XML, { ...signedQuery({ openid: OPENID }), signature: 'f'.repeat(40) }),
    malformed: push('<xml><ToUserName><![CDATA[gh_3a8b2c4d5e6f]]></ToUserName></xml>'),
  },
  expected: { text: '你好，我的订单 SO123 还没到', from: { kind: 'wechat_openid', value: OPENID } },
  outbound,
  errors: { rateLimited: [200, DAILY_QUOTA], serverError: [200, BUSY], badRequest: [200, INVALID_OPENID] },
});

const cfg = config('http://127.0.0.1:9');

describe('wechat: URL verification (服务器配置)', () => {
  it('echoes echostr as text/plain when the signature is right', () => {
    const query = signedQuery({ echostr: '5837397520521974517' });
    const verdict = wechatAdapter.verify(rawRequest({ method: 'GET', url: WEBHOOK, query }), cfg);
    expect(verdict).toEqual({
      ok: true,
      handshake: { status: 200, contentType: 'text/plain', body: '5837397520521974517' },
    });
  });

  it('refuses the handshake when the signature was made with another token', () => {
    const query = signedQuery({ echostr: '5837397520521974517' }, 'someoneelse');
    const verdict = wechatAdapter.verify(rawRequest({ method: 'GET', url: WEBHOOK, query }), cfg);
    expect(verdict.ok).toBe(false);
  });

  it('refuses a request without signature parameters, and a GET without echostr', () => {
    expect(wechatAdapter.verify(rawRequest({ method: 'GET', url: WEBHOOK }), cfg).ok).toBe(false);
    const get = rawRequest({ method: 'GET', url: WEBHOOK, query: signedQuery() });
    expect(wechatAdapter.verify(get, cfg).ok).toBe(false);
  });
});

describe('wechat: pushes', () => {
  it('parses a Chinese text message intact and answers `success`', () => {
    const result = wechatAdapter.parse(push(TEXT_XML), cfg);
    expect(result.messages).toEqual([
      {
        kind: 'text',
        text: '你好，我的订单 SO123 还没到',
        providerMessageId: 'wx:1234567890123456',
        from: { identities: [{ kind: 'wechat_openid', value: OPENID }] },
        occurredAt: '2012-09-28T11:31:00.000Z',
      },
    ]);
    expect(result.reply).toEqual({ status: 200, contentType: 'text/plain', body: 'success' });
  });

  it('keeps a 64-bit MsgId exact and adds the unionid when WeChat sends one', () => {
    const xml = TEXT_XML.replace('1234567890123456', '6054768590064713728').replace(
      '</xml>',
      '<UnionId><![CDATA[o6_bmasdasdsad6_2sgVt7hMZOPfL]]></UnionId></xml>',
    );
    const [msg] = wechatAdapter.parse(push(xml), cfg).messages;
    expect(msg?.providerMessageId).toBe('wx:6054768590064713728');
    expect(msg?.from.identities).toEqual([
      { kind: 'wechat_openid', value: OPENID },
      { kind: 'wechat_unionid', value: 'o6_bmasdasdsad6_2sgVt7hMZOPfL' },
    ]);
  });

  it('turns a subscribe push into an event keyed on FromUserName + CreateTime', () => {
    const [msg] = wechatAdapter.parse(push(SUBSCRIBE_XML), cfg).messages;
    expect(msg).toMatchObject({
      kind: 'event',
      event: 'subscribe',
      providerMessageId: `wx:${OPENID}:123456789:subscribe`,
    });
  });

  it('keeps the scene of a subscribe through a QR code', () => {
    const xml = SUBSCRIBE_XML.replace(
      '</xml>',
      '<EventKey><![CDATA[qrscene_123123]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket></xml>',
    );
    const [msg] = wechatAdapter.parse(push(xml), cfg).messages;
    expect(msg).toMatchObject({ kind: 'event', detail: { EventKey: 'qrscene_123123', Ticket: 'TICKET' } });
  });

  it('turns a menu CLICK into a postback with its EventKey', () => {
    const xml = SUBSCRIBE_XML.replace('subscribe', 'CLICK').replace(
      '</xml>',
      '<EventKey><![CDATA[ORDER_STATUS]]></EventKey></xml>',
    );
    const [msg] = wechatAdapter.parse(push(xml), cfg).messages;
    expect(msg).toMatchObject({
      kind: 'postback',
      postback: { payload: 'ORDER_STATUS' },
      providerMessageId: `wx:${OPENID}:123456789:CLICK`,
    });
  });

  it('gives a voice message its recognised text', () => {
    const xml = `<xml><ToUserName><![CDATA[gh_3a8b2c4d5e6f]]></ToUserName>
      <FromUserName><![CDATA[${OPENID}]]></FromUserName><CreateTime>1357290913</CreateTime>
      <MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[media_id_voice]]></MediaId>
      <Format><![CDATA[amr]]></Format><Recognition><![CDATA[我要退货]]></Recognition>
      <MsgId>1234567890123458</MsgId></xml>`;
    const [msg] = wechatAdapter.parse(push(xml), cfg).messages;
    expect(msg).toMatchObject({
      kind: 'media',
      text: '我要退货',
      media: [{ kind: 'audio', providerMediaId: 'media_id_voice', mimeType: 'audio/amr' }],
    });
  });

  it('reads a location message as latitude Location_X and longitude Location_Y', () => {
    const xml = `<xml><ToUserName><![CDATA[gh_3a8b2c4d5e6f]]></ToUserName>
      <FromUserName><![CDATA[${OPENID}]]></FromUserName><CreateTime>1351776360</CreateTime>
      <MsgType><![CDATA[location]]></MsgType><Location_X>23.134521</Location_X>
      <Location_Y>113.358803</Location_Y><Scale>20</Scale><Label><![CDATA[广州市天河区]]></Label>
      <MsgId>1234567890123459</MsgId></xml>`;
    const [msg] = wechatAdapter.parse(push(xml), cfg).messages;
    expect(msg).toMatchObject({
      kind: 'location',
      location: { lat: 23.134521, lng: 113.358803, address: '广州市天河区' },
    });
  });

  it('refuses an encrypted (安全模式) push, saying to switch to plaintext', () => {
    const xml = `<xml><ToUserName><![CDATA[gh_3a8b2c4d5e6f]]></ToUserName>
      <Encrypt><![CDATA[bXNnX2VuY3J5cHQ=]]></Encrypt></xml>`;
    expect(() => wechatAdapter.parse(push(xml), cfg)).toThrow(InvalidInput);
    expect(() => wechatAdapter.parse(push(xml), cfg)).toThrow(/明文模式/);
  });

  it('refuses a body that is not XML', () => {
    expect(() => wechatAdapter.parse(push('{"MsgType":"text"}'), cfg)).toThrow(InvalidInput);
    expect(() => wechatAdapter.parse(push('<xml><MsgType>text</xml>'), cfg)).toThrow(InvalidInput);
  });
});

describe('wechat: sending', () => {
  const sends = (received: FakeRequest[]) => received.filter((r) => r.path.startsWith('/cgi-bin/message'));
  const tokens = (received: FakeRequest[]) => received.filter((r) => r.path.startsWith('/cgi-bin/token'));

  it('fetches the access token once for two sends, and renews it after a 40001', async () => {
    const fake = await wechatFake();
    try {
      const c = config(fake.baseUrl);
      const ctx = sendContext();
      expect(await wechatAdapter.send(outbound, c, ctx)).toEqual({
        status: 'sent',
        providerMessageId: `wx-out:${outbound.id}`,
      });
      await wechatAdapter.send({ ...outbound, id: 'second' }, c, ctx);
      expect(tokens(fake.received)).toHaveLength(1);
      expect(tokens(fake.received)[0]?.path).toBe(
        `/cgi-bin/token?grant_type=client_credential&appid=${APP_ID}&secret=0123456789abcdef0123456789abcdef`,
      );
      expect(sends(fake.received).map((r) => r.path)).toEqual([
        '/cgi-bin/message/custom/send?access_token=ACCESS_TOKEN_1',
        '/cgi-bin/message/custom/send?access_token=ACCESS_TOKEN_1',
      ]);
      expect(JSON.parse(sends(fake.received)[0]!.body)).toEqual({
        touser: OPENID,
        msgtype: 'text',
        text: { content: '您好，我们正在查询订单 SO123' },
      });

      fake.failNext(200, STALE_TOKEN, 1);
      expect(await wechatAdapter.send({ ...outbound, id: 'third' }, c, ctx)).toMatchObject({
        status: 'sent',
      });
      expect(tokens(fake.received)).toHaveLength(2);
      expect(sends(fake.received).at(-1)?.path).toBe(
        '/cgi-bin/message/custom/send?access_token=ACCESS_TOKEN_2',
      );
    } finally {
      await fake.close();
    }
  });

  it('renews the token 5 minutes before it expires', async () => {
    const fake = await wechatFake();
    try {
      let now = 1_700_000_000_000;
      const ctx: SendContext = { ...sendContext(), cache: memoryCache(), now: () => now };
      const c = config(fake.baseUrl);
      await wechatAdapter.send(outbound, c, ctx);
      now += (7200 - 301) * 1000;
      await wechatAdapter.send(outbound, c, ctx);
      expect(tokens(fake.received)).toHaveLength(1);
      now += 2000;
      await wechatAdapter.send(outbound, c, ctx);
      expect(tokens(fake.received)).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });

  it('gives up after one renewal when the new token is refused too', async () => {
    const fake = await wechatFake();
    try {
      const ctx = sendContext();
      const c = config(fake.baseUrl);
      await wechatAdapter.send(outbound, c, ctx);
      fake.failNext(200, STALE_TOKEN, 1);
      fake.failNext(200, '{"access_token":"ACCESS_TOKEN_RENEWED","expires_in":7200}', 1);
      fake.failNext(200, STALE_TOKEN, 1);
      expect(await wechatAdapter.send(outbound, c, ctx)).toMatchObject({ status: 'retryable' });
      expect(sends(fake.received).map((r) => r.path.split('=')[1])).toEqual([
        'ACCESS_TOKEN_1',
        'ACCESS_TOKEN_1',
        'ACCESS_TOKEN_RENEWED',
      ]);
    } finally {
      await fake.close();
    }
  });

  it('says which credentials to check when the token endpoint refuses the AppSecret', async () => {
    const fake = await wechatFake();
    try {
      fake.failNext(200, '{"errcode":40125,"errmsg":"invalid appsecret rid: 64e1f0a2-3d4e5f6a-7b8c9d0e"}');
      const result = await wechatAdapter.send(outbound, config(fake.baseUrl), sendContext());
      expect(result).toMatchObject({ status: 'final' });
      expect(result.status === 'final' && result.error).toMatch(/appSecret/);
      expect(sends(fake.received)).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it('renders quick replies as numbered lines', async () => {
    const fake = await wechatFake();
    try {
      const msg: OutboundMessage = {
        ...outbound,
        text: '请选择：',
        quickReplies: [
          { title: '查询物流', payload: 'TRACK' },
          { title: '申请退款', payload: 'REFUND' },
        ],
      };
      await wechatAdapter.send(msg, config(fake.baseUrl), sendContext());
      expect(JSON.parse(sends(fake.received)[0]!.body).text.content).toBe(
        '请选择：\n\n1. 查询物流\n2. 申请退款',
      );
    } finally {
      await fake.close();
    }
  });

  it('refuses media that has only a URL, before calling WeChat', async () => {
    const fake = await wechatFake();
    try {
      const msg: OutboundMessage = {
        ...outbound,
        media: [{ kind: 'image', url: 'https://cdn.example.com/a.png' }],
      };
      const result = await wechatAdapter.send(msg, config(fake.baseUrl), sendContext());
      expect(result).toMatchObject({ status: 'final' });
      expect(result.status === 'final' && result.error).toMatch(/media_id/);
      expect(fake.received).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it('sends text and an image as two calls, and a retry sends only the part that failed', async () => {
    const fake = await wechatFake();
    try {
      const ctx = sendContext();
      const c = config(fake.baseUrl);
      const msg: OutboundMessage = { ...outbound, media: [{ kind: 'image', providerMediaId: 'MEDIA_1' }] };
      await wechatAdapter.send({ ...msg, id: 'warm-up', media: [] }, c, ctx);
      const before = sends(fake.received).length;
      // text goes through, then the image meets a busy WeChat
      fake.failNext(200, '{"errcode":0,"errmsg":"ok"}', 1);
      fake.failNext(200, BUSY, 1);
      expect(await wechatAdapter.send(msg, c, ctx)).toMatchObject({ status: 'retryable' });
      expect(await wechatAdapter.send(msg, c, ctx)).toMatchObject({ status: 'sent' });
      const bodies = sends(fake.received)
        .slice(before)
        .map((r) => JSON.parse(r.body).msgtype);
      expect(bodies).toEqual(['text', 'image', 'image']);
      expect(JSON.parse(sends(fake.received).at(-1)!.body).image).toEqual({ media_id: 'MEDIA_1' });
    } finally {
      await fake.close();
    }
  });

  it('refuses a recipient that is not an openid', async () => {
    const msg: OutboundMessage = { ...outbound, to: { kind: 'phone', value: '+8613800138000' } };
    expect(await wechatAdapter.send(msg, cfg, sendContext())).toMatchObject({ status: 'final' });
  });
});

describe('wechat: classifyFailure on recorded replies', () => {
  it.each([
    [200, BUSY, 'retryable'],
    [200, DAILY_QUOTA, 'retryable'],
    [
      200,
      '{"errcode":45011,"errmsg":"api minute-quota reach limit  mustslower  retry next minute"}',
      'retryable',
    ],
    [200, STALE_TOKEN, 'retryable'],
    [200, '{"errcode":42001,"errmsg":"access_token expired rid: 64e1f0a2-4e5f6a7b-8c9d0e1f"}', 'retryable'],
    [
      200,
      '{"errcode":45015,"errmsg":"response out of time limit or subscription is canceled hint: [IVHYVA0391ge31]"}',
      'final',
    ],
    [200, INVALID_OPENID, 'final'],
    [
      200,
      '{"errcode":45047,"errmsg":"out of response count limit rid: 64e1f0a2-5f6a7b8c-9d0e1f2a"}',
      'final',
    ],
    [200, '{"errcode":40007,"errmsg":"invalid media_id rid: 64e1f0a2-6a7b8c9d-0e1f2a3b"}', 'final'],
    [502, '<html><body>502 Bad Gateway</body></html>', 'retryable'],
    [404, '', 'final'],
    [200, '<html>not json</html>', 'retryable'],
  ] as const)('HTTP %i %s is %s', (status, body, expected) => {
    expect(wechatAdapter.classifyFailure(status, body).status).toBe(expected);
  });
});

describe('wechat: config', () => {
  it('defaults the API base to WeChat and checks appId and token shapes', () => {
    const { apiBaseUrl: _omit, ...raw } = config('');
    expect(wechatAdapter.validateConfig(raw).apiBaseUrl).toBe('https://api.weixin.qq.com');
    expect(() => wechatAdapter.validateConfig({ ...raw, appId: 'abc' })).toThrow(InvalidInput);
    expect(() => wechatAdapter.validateConfig({ ...raw, token: 'has spaces' })).toThrow(InvalidInput);
    expect(() => wechatAdapter.validateConfig({ ...raw, apiBaseUrl: 'ftp://x' })).toThrow(InvalidInput);
  });
});
