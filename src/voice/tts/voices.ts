import { DomainError } from '../../core/index.js';

/**
 * Which eSpeak NG voice reads which prompt language. Mandarin is `cmn` (Latin letters in the text
 * read as English, so "请按1，English press 2" works in one prompt); the npm WASM build (1.52)
 * reads Han characters as Mandarin syllables, where Debian's 1.51 spelt many of them out.
 * A variant (`+f2`, `+m3`) changes the timbre.
 */
export const VOICES: Record<'zh-CN' | 'en', readonly string[]> = {
  'zh-CN': ['cmn', 'cmn-latn-pinyin'],
  en: ['en-us', 'en-gb', 'en-gb-x-rp', 'en-gb-scotland', 'en-029', 'en-us-nyc'],
};

/** Words per minute; eSpeak NG's own 175 is hurried on a phone line. */
export const DEFAULT_RATE = 165;

const VARIANT = /^(m[1-7]|f[1-5])$/;

export class UnknownVoice extends DomainError {
  readonly code = 'UNKNOWN_VOICE';
  readonly status = 400;
}

export function voiceFor(r: {
  language: 'zh-CN' | 'en';
  voice?: string | undefined;
  rate?: number | undefined;
}): {
  voice: string;
  rate: number;
} {
  const allowed = VOICES[r.language];
  const [base, variant] = (r.voice ?? allowed[0]!).split('+');
  if (!base || !allowed.includes(base))
    throw new UnknownVoice(`voice ${r.voice} does not read ${r.language}; use one of ${allowed.join(', ')}`);
  if (variant !== undefined && !VARIANT.test(variant))
    throw new UnknownVoice(`voice variant +${variant} is not one of +m1…+m7, +f1…+f5`);
  return { voice: variant ? `${base}+${variant}` : base, rate: r.rate ?? DEFAULT_RATE };
}
