import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Synthesizer } from './espeak.js';
import { decodeMulaw, encodeMulaw, G711_RATE } from './g711.js';
import { LruCache } from './lru.js';
import { resample, resampleInSlices } from './resample.js';
import { voiceFor } from './voices.js';

export { DEFAULT_RATE } from './voices.js';

import { mulawDataOf, mulawWav } from './wav.js';

/**
 * Prompts as callers hear them: 8 kHz G.711 µ-law. Text is synthesized once per (text, language,
 * voice, rate) and kept twice: on disk under DATA_DIR/prompts (file named by the content hash, so
 * every process and restart finds it) and in memory (LRU), so a second request costs no synthesis.
 */
export interface PromptAudio {
  /** G.711 µ-law, 8 kHz mono. */
  pcmu: Uint8Array;
  durationMs: number;
}

export interface SpeechRequest {
  text: string;
  language: 'zh-CN' | 'en';
  voice?: string | undefined;
  rate?: number | undefined;
}

export interface SpokenPrompt extends PromptAudio {
  key: string;
  source: 'memory' | 'disk' | 'synthesized';
  /** Synthesis time in the worker, when this request synthesized it. */
  synthesisMs?: number | undefined;
}

export interface PromptStats {
  synthesized: number;
  memoryHits: number;
  diskHits: number;
}

/** Bump when the audio pipeline changes, so old files are not served for new requests. */
const PIPELINE = 1;

function safely<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

export function durationOf(pcmu: Uint8Array): number {
  return Math.round((pcmu.length * 1000) / G711_RATE);
}

/** Any 16-bit PCM at any rate as a prompt: resampled to 8 kHz and µ-law encoded. */
export function toPromptAudio(samples: Int16Array, sampleRate: number): PromptAudio {
  const pcmu = encodeMulaw(resample(samples, sampleRate, G711_RATE));
  return { pcmu, durationMs: durationOf(pcmu) };
}

/** The same, half a second of output at a time, so calls' media on this event loop keeps its pace. */
export async function convertToPrompt(samples: Int16Array, sampleRate: number): Promise<PromptAudio> {
  const pcmu = encodeMulaw(await resampleInSlices(samples, sampleRate, G711_RATE));
  return { pcmu, durationMs: durationOf(pcmu) };
}

export function promptKey(r: SpeechRequest): string {
  const { voice, rate } = voiceFor(r);
  const canonical = JSON.stringify([PIPELINE, r.text.normalize('NFC').trim(), r.language, voice, rate]);
  return createHash('sha256').update(canonical).digest('hex');
}

export interface PromptServiceOptions {
  /** DATA_DIR/prompts. */
  dir: string;
  synthesizer: Synthesizer;
  /** Memory budget of the LRU, bytes of µ-law (8 000 a second). Default 32 MB, about 70 minutes. */
  memoryBytes?: number | undefined;
}

export class PromptService {
  readonly stats: PromptStats = { synthesized: 0, memoryHits: 0, diskHits: 0 };
  private readonly memory: LruCache<PromptAudio>;
  private readonly inFlight = new Map<string, Promise<SpokenPrompt>>();

  constructor(private readonly options: PromptServiceOptions) {
    this.memory = new LruCache(options.memoryBytes ?? 32 * 1024 * 1024, (a) => a.pcmu.length);
  }

  /** The prompt's audio; concurrent requests for one prompt share one synthesis. */
  async speak(r: SpeechRequest): Promise<SpokenPrompt> {
    const key = promptKey(r);
    const cached = this.memory.get(key);
    if (cached) {
      this.stats.memoryHits++;
      return { ...cached, key, source: 'memory' };
    }
    let job = this.inFlight.get(key);
    if (!job) {
      job = this.load(key, r).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, job);
    }
    return job;
  }

  private fileOf(key: string): string {
    return path.join(this.options.dir, `${key}.wav`);
  }

  private async load(key: string, r: SpeechRequest): Promise<SpokenPrompt> {
    const stored = await readFile(this.fileOf(key)).catch(() => undefined);
    const pcmu = stored && safely(() => mulawDataOf(stored));
    // A torn or foreign file is synthesized again and replaced.
    if (pcmu?.length) {
      const audio = { pcmu: new Uint8Array(pcmu), durationMs: durationOf(pcmu) };
      this.memory.set(key, audio);
      this.stats.diskHits++;
      return { ...audio, key, source: 'disk' };
    }
    const { voice, rate } = voiceFor(r);
    const spoken = await this.options.synthesizer.synthesize({
      text: r.text.normalize('NFC').trim(),
      voice,
      rate,
    });
    this.stats.synthesized++;
    const audio = await convertToPrompt(spoken.samples, spoken.sampleRate);
    this.memory.set(key, audio);
    await this.store(key, audio.pcmu);
    return { ...audio, key, source: 'synthesized', synthesisMs: spoken.ms };
  }

  private async store(key: string, pcmu: Uint8Array): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    // Written aside and renamed: another process never reads half a file.
    const tmp = `${this.fileOf(key)}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, mulawWav(pcmu));
    await rename(tmp, this.fileOf(key));
  }

  close(): Promise<void> {
    return this.options.synthesizer.close();
  }
}

/** µ-law back to 16-bit PCM (the admin's preview plays what callers hear). */
export function pcmOf(audio: PromptAudio): Int16Array {
  return decodeMulaw(audio.pcmu);
}
