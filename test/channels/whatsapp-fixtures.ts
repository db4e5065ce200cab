// The WhatsApp Cloud API as the channel tests see it: signed webhook bodies in Meta's envelope,
// recorded Graph error bodies, a local HTTP fake of `/{phone-number-id}/messages`, and the contract fixtures.
import type { ChannelFixtures } from '../../src/channels/channel-contract.js';
import type { RawRequest } from '../../src/channels/contract.js';
import type { WhatsAppConfig } from '../../src/channels/whatsapp/index.js';
import { rawRequest, startHttpFake } from '../fakes/http-provider.js';
import { metaSignature, metaWebhook } from '../fakes/meta-webhook.js';

export const APP_SECRET = 'test-app-secret';
export const VERIFY_TOKEN = 'verify-me-please';
export const PHONE_NUMBER_ID = '106540352242922';
export const WABA_ID = '102290129340398';
export const OUR_WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA';
export const URL_PATH = '/webhooks/whatsapp/ch_1';

export function sign(body: string | Buffer, secret = APP_SECRET): string {
  return metaSignature(body, secret);
}

export function webhook(body: unknown, signature?: string): RawRequest {
  return metaWebhook(URL_PATH, body, APP_SECRET, signature);
}

/** The envelope every Cloud API `messages` webhook comes in (webhooks/components). */
export function envelope(value: Record<string, unknown>, phoneNumberId = PHONE_NUMBER_ID) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

export const contacts = [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }];

export const textMessage = {
  from: '16505551234',
  id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
  timestamp: '1749416383',
  type: 'text',
  text: { body: 'Does it come in another color?' },
};

export const imageMessage = {
  from: '16505551234',
  id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQUJCMDNCRDEzMDY4QzFDNjk5NQA=',
  timestamp: '1749416390',
  type: 'image',
  image: {
    caption: 'This is the broken one',
    mime_type: 'image/jpeg',
    sha256: '6Kd1Ykz4Sn9/PJoyV1DjylxQhGyb/Jc8qv9mgWUP+Xg=',
    id: '1003383421387256',
  },
};

export const deliveredStatus = {
  id: OUR_WAMID,
  status: 'delivered',
  timestamp: '1750263773',
  recipient_id: '16505551234',
  conversation: { id: '6ceb9d929c8fd2e8c4dbc0d2f1e4f3d2', origin: { type: 'service' } },
  pricing: { billable: true, pricing_model: 'PMP', category: 'service' },
};

export function graphError(
  code: number,
  message: string,
  details?: string,
  extra: Record<string, unknown> = {},
) {
  return JSON.stringify({
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}),
      ...extra,
      fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
    },
  });
}

export const RATE_LIMITED = graphError(
  130429,
  '(#130429) Rate limit hit',
  'Message failed to send because there were too many messages sent from this phone number in a short period of time',
  { error_subcode: 2494055 },
);
export const SOMETHING_WENT_WRONG = graphError(
  131000,
  '(#131000) Something went wrong',
  'Something went wrong',
);
export const UNDELIVERABLE = graphError(131026, '(#131026) Message Undeliverable', 'Message Undeliverable.');

// Numbers the fake's message ids (`wamid.fakeN`); each test file loads this module, and so counts, afresh.
let sent = 0;
export async function startFake() {
  return startHttpFake((req) => {
    if (req.method !== 'POST' || req.path !== `/v21.0/${PHONE_NUMBER_ID}/messages`) {
      return { status: 404, body: graphError(100, 'Unknown path components') };
    }
    const to = (JSON.parse(req.body) as { to: string }).to;
    sent += 1;
    return {
      status: 200,
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        contacts: [{ input: to, wa_id: to }],
        messages: [{ id: `wamid.fake${sent}`, message_status: 'accepted' }],
      }),
    };
  });
}

export const configFor = (baseUrl: string): Record<string, unknown> => ({
  accessToken: 'EAAJB-test-access-token',
  appSecret: APP_SECRET,
  verifyToken: VERIFY_TOKEN,
  phoneNumberId: PHONE_NUMBER_ID,
  apiBaseUrl: baseUrl,
});

export const textBody = JSON.stringify(envelope({ contacts, messages: [textMessage] }));

export const fixtures: ChannelFixtures<WhatsAppConfig> = {
  startFake,
  config: (fake) => configFor(fake.baseUrl) as unknown as WhatsAppConfig,
  inbound: {
    text: webhook(envelope({ contacts, messages: [textMessage] })),
    media: webhook(envelope({ contacts, messages: [imageMessage] })),
    receipt: webhook(envelope({ statuses: [deliveredStatus] })),
    // Signed over other bytes: the same JSON re-serialized with indentation.
    badSignature: rawRequest({
      url: URL_PATH,
      headers: { 'x-hub-signature-256': sign(JSON.stringify(JSON.parse(textBody), null, 2)) },
      body: textBody,
    }),
    malformed: webhook({ object: 'whatsapp_business_account', entry: 'not a list' }),
  },
  expected: {
    text: 'Does it come in another color?',
    from: { kind: 'whatsapp', value: '+16505551234' },
    receiptFor: `wa:${OUR_WAMID}`,
  },
  outbound: { id: 'msg_01', to: { kind: 'whatsapp', value: '+16505551234' }, text: 'It also comes in blue.' },
  errors: {
    rateLimited: [400, RATE_LIMITED],
    serverError: [500, SOMETHING_WENT_WRONG],
    badRequest: [400, UNDELIVERABLE],
  },
};
