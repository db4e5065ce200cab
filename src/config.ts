import path from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * The one place that reads the environment. Every variable here is listed in the README.
 */
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ default: '0.0.0.0' }),
  DATA_DIR: Type.String({ default: './data' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 500, default: 10 }),
  NATS_URL: Type.Optional(Type.String({ pattern: '^(nats|tls)://' })),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  SWITCHBOARD_ADMIN_EMAIL: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' })),
  SWITCHBOARD_ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  SWITCHBOARD_JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  SWITCHBOARD_MASTER_KEY: Type.Optional(Type.String({ minLength: 40 })),
  SWITCHBOARD_TOKEN_TTL: Type.Integer({ minimum: 60, default: 8 * 3600 }),
  SWITCHBOARD_BODY_LIMIT: Type.Integer({ minimum: 1024, default: 1024 * 1024 }),
  SWITCHBOARD_PUBLIC_URL: Type.Optional(Type.String()),
  SWITCHBOARD_SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  SWITCHBOARD_WEBHOOK_RATE: Type.Integer({ minimum: 1, default: 60_000 }),
  SMTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 2525 }),
  SMTP_HOST: Type.String({ default: '0.0.0.0' }),
  VOICE_ENABLED: Type.Boolean({ default: true }),
  SIP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 5060 }),
  SIP_HOST: Type.String({ default: '0.0.0.0' }),
  VOICE_PUBLIC_ADDRESS: Type.Optional(Type.String({ minLength: 1 })),
  RTP_PORT_MIN: Type.Integer({ minimum: 1024, maximum: 65534, default: 20000 }),
  RTP_PORT_MAX: Type.Integer({ minimum: 1025, maximum: 65535, default: 29999 }),
  SIP_INVITE_RATE: Type.Integer({ minimum: 1, default: 100 }),
  SIP_MAX_CALLS: Type.Integer({ minimum: 1, default: 10_000 }),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Connections to PostgreSQL this process keeps (not used with PGlite). */
  databasePoolSize: number;
  natsUrl: string | undefined;
  logLevel: string;
  admin: { email: string | undefined; password: string | undefined };
  jwtSecret: string | undefined;
  /** base64 of 32 bytes; seals channel secrets and PII. */
  masterKey: string | undefined;
  tokenTtlSeconds: number;
  bodyLimitBytes: number;
  publicUrl: string | undefined;
  shutdownGraceMs: number;
  /** Webhook requests per minute per channel before 429 (providers retry those). */
  webhookRatePerMinute: number;
  /** Where the e-mail channels' SMTP listener receives customers' mail; 0 picks a free port. */
  smtpPort: number;
  smtpHost: string;
  /** SIP (UDP and TCP on one port; 0 picks a free one) and the RTP port range; see docs/voice.md. */
  voice: {
    enabled: boolean;
    sipHost: string;
    sipPort: number;
    /** The address callers reach us at, for SIP Contact and SDP (behind NAT: the public one). */
    publicAddress: string | undefined;
    rtpPortMin: number;
    rtpPortMax: number;
    /** New calls (INVITEs) a second from one source address; bursts of twice that are let through. */
    inviteRate: { perSecond: number; burst: number };
    /** Calls in progress at most; more are answered 503. */
    maxCalls: number;
  };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const converted = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw));
  const errors = [...Value.Errors(EnvSchema, converted)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.path.slice(1) || '(root)'}: ${e.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = converted as Static<typeof EnvSchema>;
  if (e.RTP_PORT_MAX - e.RTP_PORT_MIN < 3)
    throw new ConfigError('Invalid configuration:\n  RTP_PORT_MAX: must be at least RTP_PORT_MIN + 3');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    natsUrl: e.NATS_URL,
    logLevel: e.LOG_LEVEL,
    admin: { email: e.SWITCHBOARD_ADMIN_EMAIL, password: e.SWITCHBOARD_ADMIN_PASSWORD },
    jwtSecret: e.SWITCHBOARD_JWT_SECRET,
    masterKey: e.SWITCHBOARD_MASTER_KEY,
    tokenTtlSeconds: e.SWITCHBOARD_TOKEN_TTL,
    bodyLimitBytes: e.SWITCHBOARD_BODY_LIMIT,
    publicUrl: e.SWITCHBOARD_PUBLIC_URL,
    shutdownGraceMs: e.SWITCHBOARD_SHUTDOWN_GRACE_MS,
    webhookRatePerMinute: e.SWITCHBOARD_WEBHOOK_RATE,
    smtpPort: e.SMTP_PORT,
    smtpHost: e.SMTP_HOST,
    voice: {
      enabled: e.VOICE_ENABLED,
      sipHost: e.SIP_HOST,
      sipPort: e.SIP_PORT,
      publicAddress: e.VOICE_PUBLIC_ADDRESS,
      rtpPortMin: e.RTP_PORT_MIN,
      rtpPortMax: e.RTP_PORT_MAX,
      inviteRate: { perSecond: e.SIP_INVITE_RATE, burst: 2 * e.SIP_INVITE_RATE },
      maxCalls: e.SIP_MAX_CALLS,
    },
    ...overrides,
  };
}
