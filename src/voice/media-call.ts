// A Call as the IVR session takes it (`MediaCall` in voice/ivr): prompts arrive as 8 kHz µ-law and
// are sent as they are; a caller who has gone turns every verb into CallerHungUp.
import type { Call } from './call.js';
import { CallerHungUp, type CollectOptions, type MediaCall } from './ivr/index.js';
import { type AudioClip, clipFromG711 } from './media/index.js';
import type { PromptAudio } from './tts/index.js';

/** Decoded once per prompt object: the prompt cache hands out the same object for the same text. */
const clips = new WeakMap<PromptAudio, AudioClip>();

export function toMediaCall(
  call: Call,
): MediaCall & { readonly call: Call; readonly attributes: Map<string, unknown> } {
  const attributes = new Map<string, unknown>();
  const ensureLive = () => {
    if (call.state === 'ended') throw new CallerHungUp();
  };
  return {
    call,
    attributes,
    callId: call.sipCallId,
    from: call.from.user ?? 'anonymous',
    to: call.to.user ?? '',
    async answer() {
      ensureLive();
      await call.answer();
    },
    async play(audio: PromptAudio) {
      ensureLive();
      let clip = clips.get(audio);
      if (!clip) {
        clip = clipFromG711('PCMU', audio.pcmu);
        clips.set(audio, clip);
      }
      const end = await call.play(clip);
      if (end === 'released') throw new CallerHungUp();
    },
    async collectDigits(options: CollectOptions) {
      ensureLive();
      const result = await call.collectDigits(options);
      if (result.reason === 'hangup') throw new CallerHungUp();
      return result.digits;
    },
    async hangup() {
      await call.hangup();
    },
    setAttribute(name, value) {
      attributes.set(name, value);
    },
  };
}
