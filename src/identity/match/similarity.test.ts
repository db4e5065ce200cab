import { describe, expect, it } from 'vitest';
import {
  adjacentSwap,
  jaro,
  jaroWinkler,
  oneSubstitution,
  tokenJaroWinkler,
  tokenSimilarity,
} from './similarity.js';

describe('Jaro and Jaro–Winkler', () => {
  // Reference values from Winkler (1990) and the record-linkage literature.
  it.each([
    ['martha', 'marhta', 0.944, 0.961],
    ['dwayne', 'duane', 0.822, 0.84],
    ['dixon', 'dicksonx', 0.767, 0.813],
    ['zhang', 'zhang', 1, 1],
    ['abc', 'xyz', 0, 0],
    ['', 'abc', 0, 0],
  ])('%s ~ %s: jaro %f, winkler %f', (a, b, j, jw) => {
    expect(jaro(a, b)).toBeCloseTo(j, 3);
    expect(jaroWinkler(a, b)).toBeCloseTo(jw, 3);
  });

  it('is symmetric', () => {
    expect(jaroWinkler('wangxiuying', 'wangxiuyin')).toBeCloseTo(
      jaroWinkler('wangxiuyin', 'wangxiuying'),
      12,
    );
  });

  it('caps a name token that only starts another, since pinyin jun is not junna', () => {
    expect(jaroWinkler('jun', 'junna')).toBeGreaterThan(0.9);
    expect(tokenJaroWinkler('jun', 'junna')).toBeLessThanOrEqual(0.7);
    expect(tokenJaroWinkler('jon', 'john')).toBeGreaterThan(0.9);
  });
});

describe('token similarity', () => {
  it.each([
    [['wei', 'zhang'], ['wei', 'zhang'], 1],
    [['john', 'smith'], ['jon', 'smith'], 0.966],
    [['fang', 'zhang'], ['wei', 'zhang'], 0.696],
  ])('%j ~ %j ≈ %f', (a, b, expected) => {
    expect(tokenSimilarity(a, b)).toBeCloseTo(expected, 2);
  });

  it('is 0 when one side has no tokens', () => {
    expect(tokenSimilarity([], ['li'])).toBe(0);
  });
});

describe('keying errors', () => {
  it.each([
    ['13800138000', '13800138001', true],
    ['13800138000', '13800138000', false],
    ['1380013800', '13800138000', false],
    ['1990-05-01', '1990-05-11', true],
  ])('one substitution %s / %s → %s', (a, b, expected) => {
    expect(oneSubstitution(a, b)).toBe(expected);
  });

  it.each([
    ['13800138000', '13800183000', true],
    ['13800138000', '13800138000', false],
    ['abcd', 'badc', false],
  ])('adjacent swap %s / %s → %s', (a, b, expected) => {
    expect(adjacentSwap(a, b)).toBe(expected);
  });
});
