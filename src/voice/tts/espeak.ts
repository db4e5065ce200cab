import { Worker } from 'node:worker_threads';
import { DomainError } from '../../core/index.js';
import { type Pcm, parseWav } from './wav.js';

/**
 * eSpeak NG as a service: requests go to one worker thread (espeak-worker.js), which runs the WASM
 * build off the event loop. The worker starts on first use, does not keep the process alive, and
 * is started again after a crash or a request that hangs.
 */
export interface SynthesisRequest {
  text: string;
  /** An eSpeak NG voice: cmn for Mandarin, en-us, en-gb, … with an optional variant (cmn+f2). */
  voice: string;
  /** Words per minute. */
  rate: number;
}

export interface Synthesized extends Pcm {
  /** Time the worker spent, ms. */
  ms: number;
}

export interface Synthesizer {
  synthesize(req: SynthesisRequest): Promise<Synthesized>;
  close(): Promise<void>;
}

export class SynthesisFailed extends DomainError {
  readonly code = 'SYNTHESIS_FAILED';
  readonly status = 503;
}

interface Pending {
  resolve(s: Synthesized): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  worker: Worker;
}

const WORKER_URL = new URL('./espeak-worker.js', import.meta.url);

export function createEspeakSynthesizer(options: { timeoutMs?: number } = {}): Synthesizer {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let worker: Worker | undefined;
  let seq = 0;
  const pending = new Map<number, Pending>();
  const stopping = new WeakSet<Worker>();

  /** Rejects what was sent to one worker (or to any, without one). */
  const failAll = (err: Error, only?: Worker) => {
    for (const [id, p] of pending) {
      if (only && p.worker !== only) continue;
      clearTimeout(p.timer);
      pending.delete(id);
      p.reject(err);
    }
  };

  function start(): Worker {
    const w = new Worker(WORKER_URL);
    w.unref();
    w.on('message', (m: { id: number; wav?: Uint8Array; ms?: number; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error !== undefined || !m.wav) {
        p.reject(new SynthesisFailed(m.error ?? 'no audio'));
        return;
      }
      try {
        p.resolve({ ...parseWav(m.wav), ms: m.ms ?? 0 });
      } catch (err) {
        p.reject(new SynthesisFailed(`eSpeak NG wrote unreadable audio: ${(err as Error).message}`));
      }
    });
    w.on('error', (err) => {
      if (worker === w) worker = undefined;
      failAll(new SynthesisFailed(`the speech worker failed: ${err.message}`), w);
    });
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      failAll(new SynthesisFailed('the speech worker stopped'), w);
    });
    return w;
  }

  return {
    synthesize(req) {
      worker ??= start();
      const w = worker;
      const id = ++seq;
      return new Promise<Synthesized>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new SynthesisFailed(`speech synthesis took longer than ${timeoutMs} ms`));
          // A hung instance would hold every later request: start afresh. Once per worker: each
          // terminate() adds an exit listener, and many requests can time out on one hung worker.
          if (worker === w) worker = undefined;
          if (!stopping.has(w)) {
            stopping.add(w);
            void w.terminate();
          }
        }, timeoutMs);
        timer.unref();
        pending.set(id, { resolve, reject, timer, worker: w });
        w.postMessage({ id, ...req });
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      failAll(new SynthesisFailed('the speech service is closing'));
      if (w) await w.terminate();
    },
  };
}
