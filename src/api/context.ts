import type { Logger } from 'pino';
import type { EventBus } from '../bus/index.js';
import type { Gateway } from '../channels/gateway.js';
import type { RealtimeHub } from '../channels/realtime.js';
import type { Config } from '../config.js';
import type { RoutingLive } from '../routing/index.js';
import type { Cipher, TokenService } from '../security/index.js';
import type { Outbox, Storage } from '../storage/index.js';
import type { VoiceCenter } from '../voice/center/index.js';
import type { PromptService } from '../voice/tts/index.js';
import type { Metrics } from './metrics.js';

/** Everything a route plugin may use; built once by the composition root (src/app.ts). */
export interface ApiContext {
  config: Config;
  logger: Logger;
  storage: Storage;
  bus: EventBus;
  outbox: Outbox;
  tokens: TokenService;
  cipher: Cipher;
  gateway: Gateway;
  /** Sockets of web chat visitors and app users, for first-party channels' sends. */
  realtime: RealtimeHub;
  metrics: Metrics;
  /** The ACD: one engine per tenant on the leading process. */
  routing: RoutingLive;
  /** Prompts as callers hear them (one eSpeak NG worker and cache per process, shared by calls and the API). */
  prompts: PromptService;
  /** Calls after the IVR and agents' phones; undefined when voice is off. */
  voice?: VoiceCenter | undefined;
}
