import { describe, expect, it } from 'vitest';
import { cityKey, normalizeCity } from './places.js';

describe('normalizeCity', () => {
  it.each([
    ['上海市', '上海'],
    ['上海', '上海'],
    ['Shanghai', 'shanghai'],
    ['廣州市', '广州'],
    ['广东省深圳市南山区', '深圳'],
    ['中国上海市', '上海'],
    ['香港特别行政区', '香港'],
    ['市中区', '市中区'],
    ['Shanghai, China', 'shanghai'],
    ['New York City', 'new york'],
    ['  São  Paulo ', 'são paulo'],
  ])('%s → %s', (raw, city) => {
    expect(normalizeCity(raw)).toBe(city);
  });

  it.each(['', '   ', '123', '--'])('gives null for %j, which has no letters', (raw) => {
    expect(normalizeCity(raw)).toBeNull();
  });

  it('keeps a suffix that is all there is', () => {
    expect(normalizeCity('市')).toBe('市');
  });
});

describe('cityKey', () => {
  it.each([
    [['上海', '上海市', 'Shanghai', 'SHANGHAI', 'Shang hai'], 'shanghai'],
    [['北京', '北京市', 'Beijing', 'Peking'], 'beijing'],
    [['广州', '廣州', 'Guangzhou', 'Canton'], 'guangzhou'],
    [['重庆', 'Chongqing'], 'chongqing'],
    [['厦门', 'Xiamen', 'Amoy'], 'xiamen'],
    [['香港', 'Hong Kong', 'Xianggang'], 'hongkong'],
    [['澳門', 'Macau', 'Macao'], 'macau'],
    [['臺北市', 'Taipei'], 'taipei'],
    [['巴黎', 'Paris'], 'paris'],
    [['São Paulo', 'Sao Paulo'], 'saopaulo'],
  ])('gives one key for %j', (raws, key) => {
    for (const raw of raws) expect(cityKey(raw)).toBe(key);
  });

  it('keeps Bali apart from Paris (巴黎 reads bali in pinyin)', () => {
    expect(cityKey('Bali')).toBe('bali');
  });

  it('gives null where nothing can be compared', () => {
    expect(cityKey('Москва')).toBeNull();
    expect(cityKey('')).toBeNull();
  });
});
