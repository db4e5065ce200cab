import { describe, expect, it } from 'vitest';
import { normalizeName } from './names.js';

describe('normalizeName', () => {
  it.each([
    'Zhang Wei',
    '张伟',
    '張偉',
    'wei zhang',
    'ZHANG, Wei',
    'ZHANG Wei',
    '张 伟',
    'Ｚｈａｎｇ　Ｗｅｉ',
  ])('%s gives the tokens of Zhang Wei', (raw) => {
    expect(normalizeName(raw)?.tokens).toEqual(['wei', 'zhang']);
  });

  it('keeps the original script for display and simplifies with OpenCC', () => {
    expect(normalizeName('張偉')).toEqual({
      display: '張偉',
      simplified: '张伟',
      script: 'han',
      tokens: ['wei', 'zhang'],
      surname: '张',
    });
    expect(normalizeName('陳')?.simplified).toBe('陈');
  });

  it.each([
    ['张先生', '张', '张', '先生'],
    ['王女士', '王', '王', '女士'],
    ['李小姐', '李', '李', '小姐'],
    ['陈老师', '陈', '陈', '老师'],
    ['陳老師', '陳', '陈', '老師'],
    ['刘总', '刘', '刘', '总'],
    ['张总经理', '张', '张', '总经理'],
    ['小王', '王', '王', '小'],
    ['老王', '王', '王', '老'],
    ['张伟先生', '张伟', '张', '先生'],
    ['Mr. John Smith', 'John Smith', 'smith', 'Mr'],
    ['Dr Jane Doe', 'Jane Doe', 'doe', 'Dr'],
    ['Dr. Mr. Smith Jr.', 'Smith', 'smith', 'Dr Mr Jr'],
    ['Smith先生', 'Smith', 'smith', '先生'],
  ])('removes and reports the honorific of %s', (raw, display, surname, honorific) => {
    expect(normalizeName(raw)).toMatchObject({ display, surname, honorific });
  });

  it('keeps a title that is all there is, and a 小 that starts a given name', () => {
    expect(normalizeName('先生')).toMatchObject({ display: '先生' });
    expect(normalizeName('先生')?.honorific).toBeUndefined();
    expect(normalizeName('小明')).toMatchObject({ display: '小明', tokens: ['ming', 'xiao'] });
    expect(normalizeName('张伟总')?.display).toBe('张伟总');
  });

  it('tells compound surnames apart and joins given names into one token', () => {
    expect(normalizeName('欧阳娜娜')).toMatchObject({ surname: '欧阳', tokens: ['nana', 'ouyang'] });
    expect(normalizeName('诸葛亮')).toMatchObject({ surname: '诸葛', tokens: ['liang', 'zhuge'] });
    expect(normalizeName('张小明')?.tokens).toEqual(normalizeName('Xiaoming Zhang')?.tokens);
  });

  it.each([
    ['单田芳', 'shan'],
    ['曾国藩', 'zeng'],
    ['解缙', 'xie'],
    ['仇英', 'qiu'],
  ])('reads the heteronym surname of %s as a surname (%s)', (raw, reading) => {
    expect(normalizeName(raw)?.tokens).toContain(reading);
  });

  it('folds Latin diacritics and ü spellings', () => {
    expect(normalizeName('José Núñez')?.tokens).toEqual(['jose', 'nunez']);
    expect(normalizeName('José')?.simplified).toBe('josé');
    expect(normalizeName('吕布')?.tokens).toEqual(normalizeName('Lv Bu')?.tokens);
    expect(normalizeName('Lü Bu')?.tokens).toEqual(['bu', 'lu']);
  });

  it('finds the Latin surname after a comma, in capitals, or last', () => {
    expect(normalizeName('ZHANG, Wei')?.surname).toBe('zhang');
    expect(normalizeName('Wei ZHANG')?.surname).toBe('zhang');
    expect(normalizeName('John Smith')?.surname).toBe('smith');
    expect(normalizeName("O'Brien, Mary-Jane")).toMatchObject({
      surname: 'obrien',
      tokens: ['maryjane', 'obrien'],
    });
  });

  it('reads middle-dot names as transliterations, given name first', () => {
    expect(normalizeName('迈克尔·杰克逊')).toMatchObject({
      surname: '杰克逊',
      tokens: ['jiekexun', 'maikeer'],
    });
    expect(normalizeName('爱新觉罗·玄烨')?.surname).toBe('爱新觉罗');
  });

  it('drops annotations and invisible characters', () => {
    expect(normalizeName('张伟（销售）')?.display).toBe('张伟');
    expect(normalizeName('Li Na (VIP)')?.display).toBe('Li Na');
    expect(normalizeName('张\u200b伟')?.display).toBe('张伟');
  });

  it('names the script', () => {
    expect(normalizeName('张伟 David')?.script).toBe('mixed');
    expect(normalizeName('张伟 David')?.tokens).toEqual(['david', 'wei', 'zhang']);
    expect(normalizeName('Иван Петров')).toMatchObject({ script: 'other', tokens: [] });
  });

  it('does not map Cantonese or Wade-Giles spellings (out of scope)', () => {
    expect(normalizeName('Chan Tai Man')?.tokens).not.toEqual(normalizeName('陈大文')?.tokens);
  });

  it.each(['', '   ', '123', '---', '（备注）'])('gives null for %j, which has no letters', (raw) => {
    expect(normalizeName(raw)).toBeNull();
  });
});
