// Voice as one piece for the composition root: the SIP stack, the embedded media engine and call
// control, started together from config and stopped together.
import type { Logger } from 'pino';
import { CallControl } from './call-control.js';
import { createEmbeddedMediaEngine, createWorkerMediaEngine, type MediaEngine } from './media/index.js';
import { createSipStack, PortInUse, type RateLimit, type SipStack } from './sip/index.js';

export interface VoiceConfig {
  sipHost: string;
  /** UDP and TCP; 0 picks a free port. */
  sipPort: number;
  /** The address callers reach us at (SIP Contact, SDP); see SipStackOptions.publicAddress. */
  publicAddress: string | undefined;
  rtpPortMin: number;
  rtpPortMax: number;
  /** New calls per second per source address before 503 (an INVITE flood). */
  inviteRate?: RateLimit;
  errorRate?: RateLimit;
  maxCalls?: number;
  /**
   * Where RTP runs: 'worker' (default) keeps the 20 ms media tick on a thread of its own, away from
   * SIP, HTTP and database work; 'inline' runs it on the main thread (tests, comparison).
   */
  mediaThread?: 'worker' | 'inline';
}

export interface Voice {
  readonly calls: CallControl;
  readonly sip: SipStack;
  readonly media: MediaEngine;
  readonly sipPort: number;
  /** Hangs up every call, then closes SIP and media. */
  close(): Promise<void>;
}

/**
 * Starts voice, or returns undefined (after a warning) when its SIP port is taken: the rest of
 * Switchboard keeps running without it.
 */
export async function startVoice(config: VoiceConfig, logger: Logger): Promise<Voice | undefined> {
  const log = logger.child({ module: 'voice' });
  const sip = createSipStack({
    host: config.sipHost,
    port: config.sipPort,
    publicAddress: config.publicAddress,
    logger: log,
    inviteRate: config.inviteRate,
    errorRate: config.errorRate,
    maxCalls: config.maxCalls,
  });
  const mediaOptions = {
    host: config.sipHost,
    portMin: config.rtpPortMin,
    portMax: config.rtpPortMax,
    logger: log,
  };
  const media =
    config.mediaThread === 'inline'
      ? createEmbeddedMediaEngine(mediaOptions)
      : await createWorkerMediaEngine(mediaOptions);
  const calls = new CallControl({ sip, media, logger: log });
  let bound: { port: number };
  try {
    bound = await sip.start();
  } catch (err) {
    await media.close();
    const why =
      err instanceof PortInUse
        ? `SIP port ${config.sipPort} is in use (set SIP_PORT to a free port, or VOICE_ENABLED=false)`
        : `SIP could not listen on ${config.sipHost}:${config.sipPort}`;
    log.warn({ err }, `voice is off: ${why}; everything else runs`);
    return undefined;
  }
  log.info(
    { sipPort: bound.port, rtpPorts: `${config.rtpPortMin}-${config.rtpPortMax}` },
    'voice: SIP listening (UDP, TCP)',
  );
  let closing: Promise<void> | undefined;
  return {
    calls,
    sip,
    media,
    sipPort: bound.port,
    close() {
      closing ??= (async () => {
        await calls.stop();
        await sip.stop();
        await media.close();
      })();
      return closing;
    },
  };
}
