import os from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { ensureFirstOwner } from './accounts/index.js';
import type { ApiContext } from './api/context.js';
import { createMetrics } from './api/metrics.js';
import { buildServer, type Server } from './api/server.js';
import { createBus, type EventBus } from './bus/index.js';
import { createDispatcher, type Dispatcher } from './channels/dispatcher.js';
import { startSmtpListener } from './channels/email/listener.js';
import { extractFields } from './channels/extract/index.js';
import { createGateway } from './channels/gateway.js';
import { createHttpClient, sendContexts } from './channels/http.js';
import { createRealtimeHub } from './channels/realtime.js';
import type { Config } from './config.js';
import { systemClock } from './core/index.js';
import { startIdentityLive } from './identity/live.js';
import { RoutingLive, subscribeRouting, sweepUnrouted } from './routing/index.js';
import { createCipher, createTokenService, installationSecret, loadMasterKey } from './security/index.js';
import { createOutbox, migrateToLatest, openStorage, type Storage } from './storage/index.js';
import { createCallRecorder, VoiceCenter } from './voice/center/index.js';
import { startVoice, type Voice } from './voice/index.js';
import { PromptAudioSource } from './voice/ivr/index.js';
import { createEspeakSynthesizer, PromptService } from './voice/tts/index.js';
import { createWebRtcGateway } from './voice/webrtc/index.js';

/** The composition root: builds every module from the config and wires them together. */
export interface Switchboard {
  ctx: ApiContext;
  server: Server;
  /** The outbound send queue's worker (tests drive it with `runOnce`). */
  dispatcher: Dispatcher;
  /** The port the e-mail channels' SMTP listener is bound to (config.smtpPort, or the one picked for 0). */
  smtpPort: number;
  /** SIP and RTP (docs/voice.md); undefined when VOICE_ENABLED=false or its SIP port was taken. */
  voice: Voice | undefined;
  /** Listens on config.host:config.port; resolves to the address. */
  listen(): Promise<string>;
  /** Stops taking work, finishes what is in flight, flushes the outbox, closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Tests use a fresh PostgreSQL schema each. */
  schema?: string;
  /** Tests share one bus between processes-in-a-test. */
  bus?: EventBus;
  /** Create the first owner on an empty database (default true). */
  bootstrap?: boolean;
  /** false: the send queue runs only when `dispatcher.runOnce()` is called (tests that must not race it). */
  backgroundSends?: boolean;
}

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'switchboard' } });
}

export async function openDatabase(config: Config, options: { schema?: string } = {}): Promise<Storage> {
  const storage = await openStorage({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    schema: options.schema,
    poolSize: config.databasePoolSize,
  });
  try {
    await migrateToLatest(storage.db as never, storage.schema);
  } catch (err) {
    await storage.close();
    throw err;
  }
  return storage;
}

export async function createSwitchboard(config: Config, options: StartOptions = {}): Promise<Switchboard> {
  const logger = options.logger ?? createLogger(config);
  const storage = await openDatabase(config, options.schema ? { schema: options.schema } : {});
  const ownsBus = !options.bus;
  let bus: EventBus;
  try {
    bus = options.bus ?? (await createBus({ natsUrl: config.natsUrl, logger }));
  } catch (err) {
    await storage.close();
    throw err;
  }
  const outbox = createOutbox({ db: storage.db, bus, logger });
  const secret = config.jwtSecret ?? (await installationSecret(storage.db, 'jwt_secret'));
  const tokens = createTokenService(secret, config.tokenTtlSeconds);
  const master = loadMasterKey(config.masterKey, config.dataDir);
  if (storage.kind === 'postgres' && !config.masterKey) {
    logger.warn(
      { keyFile: master.source },
      'SWITCHBOARD_MASTER_KEY is not set: using a key file; every node of a cluster needs the same key',
    );
  }
  const cipher = createCipher(master.key);
  // Loading the Chinese segmenter's dictionary takes a moment; pay it at start, not on the first message.
  extractFields('预热 warm-up', { now: Date.now() });
  const channelDeps = { db: storage.db, outbox, cipher, bus, logger };
  const gateway = createGateway(channelDeps);
  const realtime = createRealtimeHub();
  const dispatcher = createDispatcher(channelDeps, gateway, {
    sendContext: sendContexts(createHttpClient(), realtime),
  });
  const routing = new RoutingLive({ db: storage.db, outbox, logger, kind: storage.kind, bus });
  // One speech worker and prompt cache per process, for calls and the API's previews alike; the worker
  // starts on the first prompt.
  const prompts = new PromptService({
    dir: path.join(config.dataDir || path.join(os.tmpdir(), 'switchboard'), 'prompts'),
    synthesizer: createEspeakSynthesizer(),
  });
  const ctx: ApiContext = {
    config,
    logger,
    storage,
    bus,
    outbox,
    tokens,
    cipher,
    gateway,
    realtime,
    metrics: createMetrics(),
    routing,
    prompts,
  };

  if (options.bootstrap !== false) {
    const first = await ensureFirstOwner({ db: storage.db, outbox }, config.admin);
    if (first.generatedPassword) {
      // Printed once, to the console only (not the structured log): there is no default password.
      process.stdout.write(
        `\n  First start: owner account created.\n    e-mail:   ${first.email}\n    password: ${first.generatedPassword}\n  Change it after signing in. It is not shown again.\n\n`,
      );
    } else if (first.created) {
      logger.info({ email: first.email }, 'first start: owner account created from SWITCHBOARD_ADMIN_EMAIL');
    }
  }
  outbox.start();
  if (options.backgroundSends !== false) dispatcher.start();
  // The identity matcher's in-memory index follows other processes' customer writes on the bus.
  const identity = await startIdentityLive({ db: storage.db, outbox }, { bus, logger });
  const routingEvents = await subscribeRouting(routing, bus, logger);
  await routing.start();
  if (routing.isLeader)
    await sweepUnrouted(routing).catch((err: unknown) =>
      logger.warn({ err }, 'routing: sweep of unrouted conversations failed'),
    );
  const server = await buildServer(ctx);
  const smtp = await startSmtpListener(
    { db: storage.db, gateway, logger },
    { host: config.smtpHost, port: config.smtpPort, closeTimeoutMs: config.shutdownGraceMs },
  ).catch(async (err: unknown) => {
    await server.app.close();
    await dispatcher.stop();
    await identity.close();
    await outbox.stop();
    if (ownsBus) await bus.close();
    await storage.close();
    throw err;
  });
  const voice = config.voice.enabled ? await startVoice(config.voice, logger) : undefined;
  if (voice) {
    // Calls the IVR queues wait here and are connected to agents; the API reaches them through ctx.
    ctx.voice = new VoiceCenter({
      calls: voice.calls,
      media: voice.media,
      registry: ctx.metrics.registry,
      db: storage.db,
      outbox,
      routing,
      bus,
      prompts,
      audio: new PromptAudioSource(storage.db, prompts),
      clock: systemClock,
      logger,
      dialer: voice.calls,
      cipher,
      recorder: createCallRecorder({ db: storage.db, cipher, dataDir: config.dataDir || '.', logger }),
      webrtc: createWebRtcGateway({
        media: voice.media,
        host: config.voice.publicAddress ?? config.voice.sipHost,
        logger,
      }),
    });
    await ctx.voice.start();
  }

  let closing: Promise<void> | undefined;
  return {
    ctx,
    server,
    dispatcher,
    smtpPort: smtp.port,
    voice,
    async listen() {
      const address = await server.app.listen({ port: config.port, host: config.host });
      logger.info({ address, database: storage.kind, bus: bus.kind }, 'switchboard is listening');
      return address;
    },
    close() {
      closing ??= (async () => {
        server.drain();
        await server.app.close();
        logger.debug('shutdown: HTTP closed');
        await smtp.close();
        logger.debug('shutdown: SMTP closed');
        await ctx.voice?.close();
        await voice?.close();
        await prompts.close();
        logger.debug('shutdown: voice closed');
        await dispatcher.stop();
        await routingEvents.unsubscribe();
        await routing.close();
        logger.debug('shutdown: routing stopped');
        // Match decisions still queued and blocking keys not yet written, before the outbox stops.
        await identity.close();
        logger.debug('shutdown: identity matcher drained');
        await outbox.stop();
        await outbox
          .flush()
          .catch((err) => logger.warn({ err }, 'outbox: final flush failed; relayed on next start'));
        logger.debug('shutdown: outbox flushed');
        if (ownsBus) await bus.close();
        await storage.close();
        logger.debug('shutdown: database closed');
      })();
      return closing;
    },
  };
}
