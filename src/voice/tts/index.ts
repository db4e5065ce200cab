// Prompts from text: eSpeak NG (npm WASM build, GPL-3.0, loaded unmodified at run time) in a
// worker thread, resampled to 8 kHz and encoded as G.711, cached on disk and in memory; uploaded
// WAV recordings converted to the same format.
export {
  createEspeakSynthesizer,
  SynthesisFailed,
  type SynthesisRequest,
  type Synthesizer,
} from './espeak.js';
export { decodeMulaw, encodeMulaw, G711_RATE, type G711Codec, transcodeMulaw } from './g711.js';
export { LruCache } from './lru.js';
export {
  convertToPrompt,
  DEFAULT_RATE,
  durationOf,
  type PromptAudio,
  PromptService,
  type PromptServiceOptions,
  type PromptStats,
  pcmOf,
  promptKey,
  type SpeechRequest,
  type SpokenPrompt,
  toPromptAudio,
} from './prompts.js';
export { resample, resampleInSlices } from './resample.js';
export { UnknownVoice, VOICES, voiceFor } from './voices.js';
export { mulawWav, parseWav, pcmWav, WavError } from './wav.js';
