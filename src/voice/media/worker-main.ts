// The media worker: the embedded engine on a thread of its own, so that SIP, HTTP and database work on
// the main thread cannot delay the 20 ms media tick. Commands in, events out (worker-protocol.ts).
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import type { AudioClip } from './audio.js';
import { type MediaSession, type Mixer, NoMediaPorts, type Playback } from './contract.js';
import { createEmbeddedMediaEngine } from './engine.js';
import type { Command, Reply, WorkerOptions } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('worker-main.ts runs in a worker thread');
const options = workerData as WorkerOptions;
const logger = pino({ level: options.logLevel, base: { service: 'switchboard', thread: 'media' } });
const engine = createEmbeddedMediaEngine({ ...options, logger });
const sessions = new Map<string, MediaSession>();
const clips = new Map<number, AudioClip>();
const playbacks = new Map<string, Playback>();
const audioOff = new Map<string, () => void>();
/** By the main thread's mixer id. */
const mixers = new Map<string, Mixer>();

const send = (reply: Reply) => port.postMessage(reply);

function session(id: string): MediaSession | undefined {
  return sessions.get(id);
}

/** Mixers left with no member are dropped (the main thread's next add makes it again). */
function dropEmptyMixers(): void {
  for (const [id, mixer] of mixers)
    if (mixer.members.length === 0) {
      mixer.close();
      mixers.delete(id);
    }
}

async function handle(c: Command): Promise<void> {
  switch (c.op) {
    case 'allocate': {
      const s = await engine.allocate();
      sessions.set(s.id, s);
      s.onDtmf((event) => send({ ev: 'dtmf', session: s.id, event }));
      send({ ev: 'reply', req: c.req, value: { id: s.id, port: s.localPort } });
      return;
    }
    case 'connect':
      session(c.session)?.connect(c.remote);
      return;
    case 'clip':
      clips.set(c.clip, { samples: c.samples, encoded: { ...c.encoded } });
      return;
    case 'dropClip':
      clips.delete(c.clip);
      return;
    case 'play': {
      const s = session(c.session);
      const clip = clips.get(c.clip);
      if (!s || !clip) {
        send({ ev: 'played', session: c.session, play: c.play, end: 'released' });
        return;
      }
      const key = `${c.session}:${c.play}`;
      const playback = s.play(clip, { loop: c.loop });
      playbacks.set(key, playback);
      playback.done.then((end) => {
        playbacks.delete(key);
        send({ ev: 'played', session: c.session, play: c.play, end });
      });
      return;
    }
    case 'stopPlay':
      playbacks.get(`${c.session}:${c.play}`)?.stop();
      return;
    case 'stopPlayback':
      session(c.session)?.stopPlayback();
      return;
    case 'audio': {
      const s = session(c.session);
      audioOff.get(c.session)?.();
      audioOff.delete(c.session);
      if (s && c.on)
        audioOff.set(
          c.session,
          s.onAudio((pcm) => send({ ev: 'audio', session: s.id, pcm })),
        );
      return;
    }
    case 'bridge': {
      const a = session(c.session);
      const b = session(c.other);
      if (a && b) a.bridge(b);
      dropEmptyMixers();
      return;
    }
    case 'unbridge':
      session(c.session)?.unbridge();
      return;
    case 'mixerAdd': {
      const s = session(c.session);
      if (!s) return;
      let mixer = mixers.get(c.mixer);
      if (!mixer) {
        mixer = engine.createMixer();
        mixers.set(c.mixer, mixer);
      }
      mixer.add(s);
      dropEmptyMixers();
      return;
    }
    case 'mixerRemove': {
      const s = session(c.session);
      if (s) mixers.get(c.mixer)?.remove(s);
      dropEmptyMixers();
      return;
    }
    case 'mixerClose':
      mixers.get(c.mixer)?.close();
      mixers.delete(c.mixer);
      return;
    case 'release': {
      const s = session(c.session);
      if (!s) return;
      s.release();
      sessions.delete(c.session);
      audioOff.delete(c.session);
      dropEmptyMixers();
      send({ ev: 'released', session: c.session, stats: await s.stats() });
      return;
    }
    case 'sessionStats': {
      const s = session(c.session);
      send({ ev: 'reply', req: c.req, value: s ? await s.stats() : null });
      return;
    }
    case 'stats':
      send({ ev: 'reply', req: c.req, value: await engine.stats() });
      return;
    case 'resetTimer':
      await engine.resetTimerStats();
      send({ ev: 'reply', req: c.req, value: null });
      return;
    case 'close':
      await engine.close();
      sessions.clear();
      mixers.clear();
      send({ ev: 'reply', req: c.req, value: null });
      return;
  }
}

port.on('message', (c: Command) => {
  handle(c).catch((err: unknown) => {
    if ('req' in c)
      send({
        ev: 'failed',
        req: c.req,
        message: err instanceof Error ? err.message : String(err),
        noPorts: err instanceof NoMediaPorts,
      });
    else logger.error({ err, op: c.op }, 'media worker: command failed');
  });
});
send({ ev: 'ready' });
