import { describe, expect, it } from 'vitest';
import { defaultSegmenter, explainIntent, extractFields, intlSegmenter } from './index.js';
import { withinOneSlip } from './intent.js';
import { toSimplified } from './normalize.js';

const now = Date.parse('2026-11-20T10:00:00+08:00');
const intentOf = (text: string, options = {}) => extractFields(text, { now, ...options }).intent;

describe('intent', () => {
  it.each([
    ['我想申请退款', 'refund'],
    ['I want a refund please', 'refund'],
    ['我的快递到哪了', 'delivery'],
    ["where's my order?", 'delivery'],
    ['我要投诉你们', 'complaint'],
    ['APP闪退', 'technical'],
    ['I was charged twice', 'billing'],
    ['你好', 'other'],
  ])('%s → %s', (text, category) => {
    expect(intentOf(text).category).toBe(category);
  });

  it.each([
    ['我不需要退款，只想知道什么时候发货', 'delivery'],
    ["I don't want a refund, just tell me when it ships", 'delivery'],
    ['不用退款了，谢谢', 'other'],
  ])('a negated term does not count: %s → %s', (text, category) => {
    const intent = intentOf(text);
    expect(intent.category).toBe(category);
    expect(intent.matched).not.toContain('退款');
    expect(intent.matched).not.toContain('refund*');
  });

  it('shows negated terms in the explanation', () => {
    const { hits, scores } = explainIntent('我不需要退款，只想知道什么时候发货', {});
    expect(hits).toContainEqual(expect.objectContaining({ term: '退款', negated: true }));
    expect(scores.refund).toBe(0);
  });

  it.each([
    ['我要投訴', 'complaint'],
    ['什麼時候發貨', 'delivery'],
    ['退款還沒到賬', 'refund'],
    ['帳單有問題，多扣費了', 'billing'],
  ])('reads traditional characters: %s → %s', (text, category) => {
    expect(intentOf(text).category).toBe(category);
  });

  it('maps the traditional characters the lexicon needs', () => {
    expect(toSimplified('退款發貨投訴帳單週')).toBe('退款发货投诉账单周');
  });

  it('tolerates a dropped or swapped letter but not a changed one', () => {
    expect(intentOf('refnd plz').category).toBe('refund');
    expect(withinOneSlip('delivery', 'delievry')).toBe(true);
    expect(withinOneSlip('delivery', 'dlievry')).toBe(false); // two slips
    expect(withinOneSlip('refund', 'refnud')).toBe(true);
    expect(withinOneSlip('charged', 'changed')).toBe(false);
  });

  it('grows confidence with evidence and shrinks it with a close runner-up', () => {
    const strong = intentOf('我要退款，马上退钱，退款！');
    const weak = intentOf('退货');
    const contested = intentOf('refund my subscription charge');
    expect(strong.confidence).toBeGreaterThan(weak.confidence);
    expect(contested.confidence).toBeLessThan(strong.confidence);
    for (const i of [strong, weak, contested]) {
      expect(i.confidence).toBeGreaterThanOrEqual(0);
      expect(i.confidence).toBeLessThanOrEqual(1);
    }
  });

  it("merges a tenant's lexicon over the built-in one", () => {
    expect(intentOf('保修卡丢了').category).toBe('other');
    const lexicon = { technical: { 保修: 3 }, refund: { 退款: 0 } };
    expect(intentOf('保修卡丢了', { lexicon }).category).toBe('technical');
    expect(intentOf('我想申请退款', { lexicon }).category).toBe('other');
  });

  it('loads jieba, and still classifies with the Intl.Segmenter fallback', () => {
    expect(defaultSegmenter().name).toBe('jieba');
    const segmenter = intlSegmenter();
    expect(intentOf('我不需要退款，只想知道什么时候发货', { segmenter }).category).toBe('delivery');
    expect(intentOf('APP一直闪退', { segmenter }).category).toBe('technical');
  });
});
