import type { FlowDefinition } from './flow.js';

/**
 * The flow the docs and tests use: closed outside business hours, VIP callers (tier ≥ 2) straight
 * to their queue, everyone else through a menu in Mandarin with an English option.
 */
export function sampleFlow(ids: { hoursId: string; queueId: string; vipQueueId: string }): FlowDefinition {
  return {
    entry: 'hours',
    nodes: [
      {
        id: 'hours',
        type: 'branch',
        on: 'businessHours',
        businessHoursId: ids.hoursId,
        cases: { open: 'vip', closed: 'closed' },
        default: 'closed',
      },
      {
        id: 'vip',
        type: 'branch',
        on: 'attribute',
        cases: [{ when: 'customer.tier >= 2', next: 'vip-queue' }],
        default: 'welcome',
      },
      {
        id: 'welcome',
        type: 'play',
        prompt: { text: '您好，欢迎致电。', language: 'zh-CN' },
        next: 'menu',
      },
      {
        id: 'menu',
        type: 'menu',
        prompt: { text: '售后服务请按1，English service press 2。', language: 'zh-CN' },
        retryPrompt: { text: '对不起，请再试一次。', language: 'zh-CN' },
        maxDigits: 1,
        timeoutMs: 5000,
        retries: 2,
        branches: { '1': 'after-sales', '2': 'english' },
        noInput: 'agent',
        noMatch: 'agent',
      },
      {
        id: 'after-sales',
        type: 'setAttributes',
        attributes: { category: 'after_sales', language: 'zh' },
        next: 'agent',
      },
      { id: 'english', type: 'setAttributes', attributes: { language: 'en' }, next: 'agent' },
      { id: 'agent', type: 'enqueue', queueId: ids.queueId },
      { id: 'vip-queue', type: 'enqueue', queueId: ids.vipQueueId, priority: 10, attributes: { vip: true } },
      {
        id: 'closed',
        type: 'play',
        prompt: {
          text: 'Thank you for calling. We are closed now; please call again during office hours.',
          language: 'en',
        },
        next: 'bye',
      },
      { id: 'bye', type: 'hangup', cause: 'closed' },
    ],
  };
}
