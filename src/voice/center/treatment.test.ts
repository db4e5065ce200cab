import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { announcementParts, announcementText, holdMusic } from './treatment.js';

describe('queue announcements', () => {
  it('says the place and the wait in Mandarin and English, with the call-back offer when there is one', () => {
    expect(announcementText({ position: 3, estimatedWaitSeconds: 150 }, 'zh-CN', true)).toBe(
      '所有坐席正忙，请稍候。您前面还有2位客户。预计等待约3分钟。如需回电，请按1，我们将保留您的排队位置。',
    );
    expect(announcementText({ position: 1, estimatedWaitSeconds: 20 }, 'en', false)).toBe(
      'All our agents are busy. Please hold. You are next in line. The expected wait is about 1 minute.',
    );
    expect(announcementText({ position: 4, estimatedWaitSeconds: undefined }, 'en', false)).toBe(
      'All our agents are busy. Please hold. You are number 4 in the queue.',
    );
  });

  it('says "more than" only beyond the caps, and the exact number at them', () => {
    expect(announcementText({ position: 51, estimatedWaitSeconds: 3600 }, 'zh-CN', false)).toBe(
      '所有坐席正忙，请稍候。您前面还有50位客户。预计等待约60分钟。',
    );
    expect(announcementText({ position: 52, estimatedWaitSeconds: 3700 }, 'zh-CN', false)).toBe(
      '所有坐席正忙，请稍候。您前面还有超过50位客户。预计等待超过60分钟。',
    );
    expect(announcementText({ position: 51, estimatedWaitSeconds: 3600 }, 'en', false)).toBe(
      'All our agents are busy. Please hold. You are number 51 in the queue. The expected wait is about 60 minutes.',
    );
    expect(announcementText({ position: 300, estimatedWaitSeconds: 9000 }, 'en', false)).toBe(
      'All our agents are busy. Please hold. There are more than 50 callers ahead of you. The expected wait is more than 60 minutes.',
    );
  });

  it('is made of the same few pieces for every caller: only the numbers differ', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ position: fc.integer({ min: 1, max: 500 }), wait: fc.integer({ min: 0, max: 7200 }) }),
          {
            minLength: 1,
            maxLength: 200,
          },
        ),
        fc.constantFrom('zh-CN' as const, 'en' as const),
        fc.boolean(),
        (callers, language, callback) => {
          const pieces = new Set(
            callers.flatMap((c) =>
              announcementParts({ position: c.position, estimatedWaitSeconds: c.wait }, language, callback),
            ),
          );
          const words = [...pieces].filter((p) => !/^\d+$/.test(p));
          expect(words.length).toBeLessThanOrEqual(12);
          // However long the queue, the numbers spoken are few (capped at 50 ahead, 60 minutes).
          expect([...pieces].filter((p) => /^\d+$/.test(p)).every((n) => Number(n) <= 60)).toBe(true);
        },
      ),
    );
  });
});

describe('hold music', () => {
  it('is a few seconds of quiet, never clipping, made once', () => {
    const clip = holdMusic();
    expect(clip.samples.length / 8000).toBeGreaterThan(4);
    expect(Math.max(...clip.samples.map(Math.abs))).toBeLessThan(8000);
    expect(Math.max(...clip.samples.map(Math.abs))).toBeGreaterThan(1000);
    expect(holdMusic()).toBe(clip);
  });
});
