import { describe, expect, it } from 'vitest';
import { extractFields } from './index.js';

const now = Date.parse('2026-11-20T10:00:00+08:00');
const amounts = (text: string) => extractFields(text, { now }).amounts.map((a) => `${a.currency} ${a.value}`);

describe('amounts', () => {
  it.each([
    ['¥329.00', 'CNY 329'],
    ['￥３２９', 'CNY 329'],
    ['329元', 'CNY 329'],
    ['三百二十九元', 'CNY 329'],
    ['两万元', 'CNY 20000'],
    ['1.5万元', 'CNY 15000'],
    ['五十九块九', 'CNY 59.9'],
    ['三块五', 'CNY 3.5'],
    ['二十块五毛', 'CNY 20.5'],
    ['叁佰贰拾玖元整', 'CNY 329'],
    ['$12.50', 'USD 12.5'],
    ['USD 40', 'USD 40'],
    ['40 dollars', 'USD 40'],
    ['$1.2k', 'USD 1200'],
    ['1,299.00 RMB', 'CNY 1299'],
    ['RMB 128,000.00', 'CNY 128000'],
    ['€15', 'EUR 15'],
    ['19,99 €', 'EUR 19.99'],
    ['EUR 2.450,00', 'EUR 2450'],
    ['HK$200', 'HKD 200'],
    ['NT$300', 'TWD 300'],
    ['付了，329元', 'CNY 329'],
  ])('%s → %s', (text, amount) => {
    expect(amounts(text)).toEqual([amount]);
  });

  it.each(['买了3台', '换一块电池', '一万二', '329', '订单 12345678'])(
    'needs a currency: %j is no amount',
    (text) => {
      expect(amounts(text)).toEqual([]);
    },
  );

  it('keeps amounts in order of appearance', () => {
    expect(amounts('billed $120 when the plan is USD 99')).toEqual(['USD 120', 'USD 99']);
  });
});
