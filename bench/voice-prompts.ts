// Voice prompts (issue #7): how long eSpeak NG (npm WASM build, in its worker thread) takes per
// prompt, what the 8 kHz G.711 conversion adds, what a cached prompt costs, and how much the event
// loop that would pace calls' media stalls meanwhile.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  convertToPrompt,
  createEspeakSynthesizer,
  PromptService,
  toPromptAudio,
  voiceFor,
} from '../src/voice/tts/index.js';
import type { BenchOutput } from './api-writes.js';

const PROMPTS = [
  { label: 'zh short', text: '您好，欢迎致电。', language: 'zh-CN' as const },
  {
    label: 'zh menu',
    text: '售后服务请按1，账单查询请按2，English service press 3，重听请按井号键。',
    language: 'zh-CN' as const,
  },
  {
    label: 'zh long',
    text: '感谢您的来电。我们的工作时间是周一至周五上午九点到下午六点。现在所有客服人员都在忙，请不要挂机，我们会尽快为您服务。',
    language: 'zh-CN' as const,
  },
  { label: 'en short', text: 'Hello, thank you for calling.', language: 'en' as const },
  {
    label: 'en long',
    text: 'Thank you for calling. Our office hours are Monday to Friday, nine to six. All our agents are busy at the moment; please stay on the line and we will be with you shortly.',
    language: 'en' as const,
  },
];

async function loopDelayDuring(work: () => Promise<unknown>, rounds: number): Promise<string> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  for (let i = 0; i < rounds; i++) await work();
  h.disable();
  return `max ${(h.max / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function runVoicePrompts(opts: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<BenchOutput> {
  const rounds = opts.quick ? 2 : 7;
  const synth = createEspeakSynthesizer();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-prompts-'));
  const problems: string[] = [];
  const rows: string[] = [];
  try {
    const coldStart = performance.now();
    await synth.synthesize({ text: '你好', voice: 'cmn', rate: 165 });
    const cold = performance.now() - coldStart;
    // One histogram per prompt: a re-enabled one counts the time it was off as one long delay.
    const stalls: { max: number; p99: number }[] = [];
    for (const p of PROMPTS) {
      opts.log(`voice-prompts: ${p.label}`);
      const { voice, rate } = voiceFor(p);
      const worker: number[] = [];
      const total: number[] = [];
      const convert: number[] = [];
      let seconds = 0;
      const outputs = [];
      const stretch = monitorEventLoopDelay({ resolution: 5 });
      stretch.enable();
      for (let i = 0; i < rounds; i++) {
        const t0 = performance.now();
        const out = await synth.synthesize({ text: p.text, voice, rate });
        total.push(performance.now() - t0);
        worker.push(out.ms);
        outputs.push(out);
      }
      stretch.disable();
      stalls.push({ max: stretch.max / 1e6, p99: stretch.percentile(99) / 1e6 });
      // Converted after, so that this synchronous work is not counted as the worker's stall.
      for (const out of outputs) {
        const t0 = performance.now();
        const audio = toPromptAudio(out.samples, out.sampleRate);
        convert.push(performance.now() - t0);
        seconds = audio.durationMs / 1000;
      }
      await new Promise((r) => setTimeout(r, 50));
      rows.push(
        `| ${p.label} | ${[...p.text].length} | ${seconds.toFixed(1)} s | ${median(worker).toFixed(0)} | ${median(total).toFixed(0)} | ${median(convert).toFixed(1)} | ${(median(total) / 1000 / seconds).toFixed(2)} |`,
      );
    }
    const stall = `max ${Math.max(...stalls.map((x) => x.max)).toFixed(1)} ms, p99 ${Math.max(...stalls.map((x) => x.p99)).toFixed(1)} ms (worst prompt)`;
    // The same measure with nothing running, and with a worker thread that only burns CPU for as
    // long: what the machine's own load and a busy thread of any kind account for.
    const idle = await loopDelayDuring(() => new Promise((r) => setTimeout(r, 200)), rounds);
    const busy = new Worker(
      'const { parentPort } = require("node:worker_threads"); parentPort.on("message", () => { const end = Date.now() + 200; while (Date.now() < end); parentPort.postMessage(1); });',
      { eval: true },
    );
    const burning = await loopDelayDuring(
      () =>
        new Promise((r) => {
          busy.once('message', r);
          busy.postMessage(0);
        }),
      rounds,
    );
    await busy.terminate();
    // Converting in slices: the longest the event loop waits for one slice.
    const long = await synth.synthesize({ text: PROMPTS[2]!.text, voice: 'cmn', rate: 165 });
    const slices = monitorEventLoopDelay({ resolution: 1 });
    slices.enable();
    await convertToPrompt(long.samples, long.sampleRate);
    slices.disable();
    const sliceStall = slices.max / 1e6;
    const prompts = new PromptService({ dir, synthesizer: synth });
    await prompts.speak(PROMPTS[1]!);
    const hits: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const t0 = performance.now();
      await prompts.speak(PROMPTS[1]!);
      hits.push(performance.now() - t0);
    }
    const fromDisk: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const fresh = new PromptService({ dir, synthesizer: synth });
      const t0 = performance.now();
      const r = await fresh.speak(PROMPTS[1]!);
      fromDisk.push(performance.now() - t0);
      if (r.source !== 'disk')
        problems.push(`voice-prompts: a restarted service did not read the prompt from disk (${r.source})`);
    }
    const markdown = [
      '## Voice prompts (issue #7)',
      '',
      `eSpeak NG (npm \`espeak-ng\` 1.0.2, eSpeak NG 1.52-dev compiled to WASM) in one worker thread, ${rounds} rounds a prompt, medians. Rate 165 words a minute; voices \`cmn\` (zh-CN) and \`en-us\`. "worker" is the time inside the worker (a fresh WASM instance from the module compiled once, synthesis, the WAV read back); "request" adds the message round trip; "to G.711" is resampling 22 050 → 8 000 Hz (windowed sinc) and µ-law encoding on the main thread. RTF = request time ÷ audio length.`,
      '',
      '| prompt | characters | audio | worker ms | request ms | to G.711 ms | RTF |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      `- First request after start (worker thread, WASM compile, first instance): ${cold.toFixed(0)} ms.`,
      `- Event-loop delay on the main thread (where calls' RTP would be paced) while the worker synthesized: ${stall}; with nothing running: ${idle}; while a worker thread only burnt CPU for 200 ms at a time: ${burning} (5 ms resolution).`,
      `- Converting the 15.6 s prompt in half-second slices (as the service does): longest event-loop delay ${sliceStall.toFixed(1)} ms (1 ms resolution).`,
      `- A cached prompt from memory: median ${(median(hits) * 1000).toFixed(1)} µs; from disk after a restart (content-hash WAV under DATA_DIR/prompts): median ${median(fromDisk).toFixed(2)} ms.`,
    ].join('\n');
    return { markdown, problems };
  } finally {
    await synth.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
