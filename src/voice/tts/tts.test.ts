import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { createEspeakSynthesizer, type Synthesizer } from './espeak.js';
import { decodeAlaw, encodeMulaw, transcodeMulaw } from './g711.js';
import { PromptService, promptKey } from './prompts.js';
import { resample, resampleInSlices } from './resample.js';
import { mulawDataOf, parseWav, pcmWav } from './wav.js';

function tone(freq: number, rate: number, seconds: number, amplitude = 10_000): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate)),
  );
}

function rms(x: Int16Array, skip = 200): number {
  let sum = 0;
  for (let i = skip; i < x.length - skip; i++) sum += x[i]! ** 2;
  return Math.sqrt(sum / (x.length - 2 * skip));
}

function crossings(x: Int16Array): number {
  let n = 0;
  for (let i = 1; i < x.length; i++) if (x[i - 1]! < 0 !== x[i]! < 0) n++;
  return n;
}

describe('audio conversion', () => {
  it('keeps a 1 kHz tone at 1 kHz and its level when going from 22 050 Hz to 8 kHz', () => {
    const out = resample(tone(1000, 22_050, 1), 22_050, 8000);
    expect(out.length).toBe(8000);
    expect(crossings(out)).toBeGreaterThan(1990);
    expect(crossings(out)).toBeLessThan(2010);
    expect(rms(out) / (10_000 / Math.SQRT2)).toBeCloseTo(1, 1);
  });

  it.each([11_025, 16_000, 44_100, 48_000, 22_051])(
    'keeps a 1 kHz tone from %i Hz at 8 kHz',
    async (rate) => {
      const out = await resampleInSlices(tone(1000, rate, 1), rate, 8000, 1000);
      expect(Math.abs(out.length - 8000)).toBeLessThanOrEqual(1);
      expect(Math.abs(crossings(out) - 2000)).toBeLessThan(10);
      expect(rms(out) / (10_000 / Math.SQRT2)).toBeCloseTo(1, 1);
      expect(resample(tone(1000, rate, 1), rate, 8000)).toEqual(out);
    },
  );

  it('filters out what 8 kHz cannot carry instead of folding it into the band', () => {
    // 6 kHz would alias to 2 kHz without the low-pass.
    const out = resample(tone(6000, 22_050, 1), 22_050, 8000);
    expect(rms(out)).toBeLessThan(10_000 * 0.01);
  });

  it('reads 16-bit PCM WAV at 16 kHz in stereo as mono, and refuses what it cannot read', () => {
    const mono = tone(440, 16_000, 0.5);
    const stereo = new Int16Array(mono.length * 2);
    mono.forEach((s, i) => {
      stereo[2 * i] = s;
      stereo[2 * i + 1] = s;
    });
    const wav = pcmWav(stereo, 16_000);
    wav.writeUInt16LE(2, 22); // channels
    const parsed = parseWav(wav);
    expect(parsed.sampleRate).toBe(16_000);
    expect(parsed.samples).toEqual(mono);
    expect(() => parseWav(Buffer.from('ID3 not a wave file'))).toThrow('not a WAV file');
    const float = pcmWav(mono, 16_000);
    float.writeUInt16LE(3, 20);
    float.writeUInt16LE(32, 34);
    expect(() => parseWav(float)).toThrow('use 16-bit PCM');
  });

  it('turns µ-law prompts into A-law for calls that speak PCMA, at the same level', () => {
    const pcm = tone(800, 8000, 0.1);
    const pcmu = encodeMulaw(pcm);
    expect(transcodeMulaw(pcmu, 'pcmu')).toBe(pcmu);
    const heard = decodeAlaw(transcodeMulaw(pcmu, 'pcma'));
    expect(heard.length).toBe(pcm.length);
    expect(rms(heard, 0) / rms(pcm, 0)).toBeCloseTo(1, 1);
  });
});

describe('speech from eSpeak NG (WASM) in a worker', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-prompts-'));
  const synth: Synthesizer = createEspeakSynthesizer();
  afterAll(async () => {
    await synth.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads Chinese characters as Mandarin: a plausible length, not one letter name after another', async () => {
    const zh = await synth.synthesize({ text: '您好，欢迎致电', voice: 'cmn', rate: 165 });
    const seconds = zh.samples.length / zh.sampleRate;
    expect(seconds).toBeGreaterThan(1.2);
    expect(seconds).toBeLessThan(3.5);
    // The English voice names each character ("Chinese letter"): twice as long at least.
    const spelt = await synth.synthesize({ text: '您好，欢迎致电', voice: 'en-us', rate: 165 });
    expect(spelt.samples.length / spelt.sampleRate).toBeGreaterThan(seconds * 1.6);
    expect(rms(zh.samples)).toBeGreaterThan(500);
  });

  it('reads English at a plausible length', async () => {
    const en = await synth.synthesize({ text: 'Hello, thank you for calling.', voice: 'en-us', rate: 165 });
    const seconds = en.samples.length / en.sampleRate;
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(3.5);
  });

  it('names a voice it does not have', async () => {
    await expect(synth.synthesize({ text: 'x', voice: 'xx', rate: 165 })).rejects.toThrow('does not exist');
  });

  it('keeps the event loop free while it synthesizes', async () => {
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    await Promise.all([
      synth.synthesize({
        text: '欢迎致电客服中心。普通话服务请按1，English service press 2。',
        voice: 'cmn',
        rate: 165,
      }),
      synth.synthesize({
        text: 'Please hold, an agent will be with you shortly.',
        voice: 'en-us',
        rate: 165,
      }),
    ]);
    delay.disable();
    expect(delay.max / 1e6).toBeLessThan(100);
  });

  it('requests that outlive their time fail with a clear error, and the hung worker is stopped once', async () => {
    // 1 ms is less than any synthesis takes: every request times out on the same worker.
    const hasty = createEspeakSynthesizer({ timeoutMs: 1 });
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 15 }, (_, i) => hasty.synthesize({ text: `第${i}位`, voice: 'cmn', rate: 165 })),
      );
      for (const o of outcomes) {
        expect(o.status).toBe('rejected');
        expect(String((o as PromiseRejectedResult).reason)).toMatch(/longer than 1 ms|worker stopped/);
      }
      // Let Node report what it would (a MaxListenersExceededWarning came after 11 terminate() calls).
      await new Promise((r) => setTimeout(r, 50));
      expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await hasty.close();
    }
  });

  it('synthesizes a prompt once: later requests come from memory, another process finds the file', async () => {
    const prompts = new PromptService({ dir, synthesizer: synth });
    const request = { text: '您好，欢迎致电', language: 'zh-CN' as const };
    const [first, concurrent] = await Promise.all([prompts.speak(request), prompts.speak(request)]);
    expect(first.source).toBe('synthesized');
    expect(concurrent).toBe(first);
    expect(first.durationMs).toBeGreaterThan(1200);
    expect(Math.abs(first.pcmu.length - first.durationMs * 8)).toBeLessThan(8);
    const second = await prompts.speak({ ...request, text: ' 您好，欢迎致电 ' });
    expect(second.source).toBe('memory');
    expect(prompts.stats).toEqual({ synthesized: 1, memoryHits: 1, diskHits: 0 });
    // On disk as 8 kHz µ-law WAV, named by the content hash.
    expect(readdirSync(dir)).toEqual([`${first.key}.wav`]);
    expect(new Uint8Array(mulawDataOf(readFileSync(path.join(dir, `${first.key}.wav`)))!)).toEqual(
      first.pcmu,
    );
    const restarted = new PromptService({ dir, synthesizer: synth });
    const again = await restarted.speak(request);
    expect(again.source).toBe('disk');
    expect(again.pcmu).toEqual(first.pcmu);
    expect(restarted.stats.synthesized).toBe(0);
  });

  it('keys the cache by text, language, voice and rate', () => {
    const base = { text: '您好', language: 'zh-CN' as const };
    const keys = new Set([
      promptKey(base),
      promptKey({ ...base, voice: 'cmn' }),
      promptKey({ ...base, rate: 165 }),
      promptKey({ ...base, voice: 'cmn+f2' }),
      promptKey({ ...base, rate: 140 }),
      promptKey({ ...base, text: '你好' }),
    ]);
    // The first three are the same prompt (cmn and 165 are the defaults).
    expect(keys.size).toBe(4);
    expect(() => promptKey({ text: 'hi', language: 'en', voice: 'cmn' })).toThrow('does not read en');
  });
});
