import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has working defaults for everything', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.databasePoolSize).toBe(10);
    expect(c.voice).toMatchObject({
      sipPort: 5060,
      rtpPortMin: 20000,
      rtpPortMax: 29999,
      inviteRate: { perSecond: 100, burst: 200 },
      maxCalls: 10_000,
    });
  });

  it('reads the pool size and the SIP limits from the environment', () => {
    const c = loadConfig({ DATABASE_POOL_SIZE: '40', SIP_INVITE_RATE: '500', SIP_MAX_CALLS: '2000' });
    expect(c.databasePoolSize).toBe(40);
    expect(c.voice.inviteRate).toEqual({ perSecond: 500, burst: 1000 });
    expect(c.voice.maxCalls).toBe(2000);
  });

  it('refuses values it cannot use, naming the variable', () => {
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
    expect(() => loadConfig({ SIP_INVITE_RATE: 'lots' })).toThrow(/SIP_INVITE_RATE/);
    expect(() => loadConfig({ RTP_PORT_MIN: '20000', RTP_PORT_MAX: '20001' })).toThrow(/RTP_PORT_MAX/);
  });
});
