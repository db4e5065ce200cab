import type { Db } from '../../storage/index.js';
import { LruCache, type PromptAudio, type PromptService } from '../tts/index.js';
import { loadAudio } from './audio-store.js';
import type { Prompt } from './flow.js';

/**
 * A flow's prompt as the audio a call plays: text through the prompt service (synthesized once,
 * cached), an uploaded recording from the database (kept in memory after the first call).
 */
export class PromptAudioSource {
  private readonly recordings = new LruCache<PromptAudio>(16 * 1024 * 1024, (a) => a.pcmu.length);

  constructor(
    private readonly db: Db,
    private readonly prompts: PromptService,
  ) {}

  async audioOf(tenantId: string, prompt: Prompt): Promise<PromptAudio> {
    if ('text' in prompt) return this.prompts.speak(prompt);
    const key = `${tenantId}:${prompt.audioId}`;
    const cached = this.recordings.get(key);
    if (cached) return cached;
    // Recordings are never changed in place (a new upload is a new id), so a cached one stays right.
    const audio = await loadAudio(this.db, tenantId, prompt.audioId);
    this.recordings.set(key, audio);
    return audio;
  }
}
