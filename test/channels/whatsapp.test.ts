// WhatsApp Cloud API adapter: the shared channel contract run against the local Graph fake, and config
// validation. Verification and parsing: whatsapp-inbound.test.ts; sends, failures: whatsapp-outbound.test.ts.
import { describe, expect, it } from 'vitest';
import { runChannelContract } from '../../src/channels/channel-contract.js';
import { whatsappAdapter } from '../../src/channels/whatsapp/index.js';
import { configFor, fixtures, PHONE_NUMBER_ID } from './whatsapp-fixtures.js';

runChannelContract(whatsappAdapter, fixtures);

describe('whatsapp: config', () => {
  it('fills the Graph defaults and refuses bad values by field', () => {
    const cfg = whatsappAdapter.validateConfig({
      accessToken: 'x',
      appSecret: 'y',
      verifyToken: 'z',
      phoneNumberId: 106540352242922,
    });
    expect(cfg).toMatchObject({
      apiVersion: 'v21.0',
      apiBaseUrl: 'https://graph.facebook.com',
      phoneNumberId: PHONE_NUMBER_ID,
    });
    const base = configFor('https://graph.facebook.com');
    expect(() => whatsappAdapter.validateConfig({ ...base, phoneNumberId: '+1 650' })).toThrow(
      /phoneNumberId/,
    );
    expect(() => whatsappAdapter.validateConfig({ ...base, apiVersion: '21' })).toThrow(/apiVersion/);
    expect(() => whatsappAdapter.validateConfig({ ...base, apiBaseUrl: 'ftp://x' })).toThrow(/apiBaseUrl/);
    expect(() => whatsappAdapter.validateConfig({ ...base, appSecret: '' })).toThrow(/appSecret/);
  });
});
