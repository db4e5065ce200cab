import { describe, expect, it } from 'vitest';
import {
  BIRTH_LEVELS,
  CITY_LEVELS,
  compareBirthDates,
  compareCities,
  compareEmails,
  compareNames,
  comparePhones,
  EMAIL_LEVELS,
  MISSING,
  NAME_LEVELS,
  namesConflict,
  PHONE_LEVELS,
} from './compare.js';
import { DEFAULT_SETTINGS } from './model.js';
import { prepareName, prepareRecord } from './prepare.js';

const levelName = (levels: readonly string[], l: number) => (l === MISSING ? 'missing' : levels[l]);

describe('name comparison levels', () => {
  it.each([
    ['张伟', '張偉', 'exact'],
    ['张伟', '张伟先生', 'exact'],
    ['张伟', 'Zhang Wei', 'tokens'],
    ['张伟', 'Wei Zhang', 'tokens'],
    ['张伟', 'zhangwei', 'tokens'],
    ['王秀英', 'Xiu Ying Wang', 'tokens'],
    ['Smith, John', 'John Smith', 'tokens'],
    ['张伟', '张玮', 'fuzzy'],
    ['John Smith', 'Jon Smith', 'fuzzy'],
    ['张先生', '张伟', 'partial'],
    ['Mr Smith', 'John Smith', 'partial'],
    ['Feng Jun', '冯俊娜', 'similar'],
    ['张伟', '张芳', 'disagree'],
    ['张伟', '李娜', 'disagree'],
    ['John Smith', 'Mary Smith', 'disagree'],
    ['张伟', '', 'missing'],
  ])('%s ~ %s: %s', (a, b, expected) => {
    expect(levelName(NAME_LEVELS, compareNames(prepareName(a), prepareName(b)))).toBe(expected);
  });

  it('calls only a disagreement a conflict', () => {
    expect(namesConflict(prepareName('张伟'), prepareName('李娜'))).toBe(true);
    expect(namesConflict(prepareName('张伟'), prepareName('张先生'))).toBe(false);
    expect(namesConflict(prepareName('张伟'), null)).toBe(false);
  });
});

const rec = (fields: Record<string, string>) => prepareRecord({ id: 'x', ...fields }, DEFAULT_SETTINGS);

describe('e-mail comparison levels', () => {
  it.each([
    [{ email: 'Zhang.Wei88@GMAIL.com' }, { email: 'zhangwei88+shop@gmail.com' }, 'exact'],
    [{ email: 'wangli030@outlook.com' }, { email: 'wangli030@qq.com' }, 'local'],
    [{ email: 'xuehui.liang@163.com' }, { email: 'xuehu.iliang@163.com' }, 'similar'],
    [{ email: 'liuyang849@outlook.com' }, { email: 'liuyang918@qq.com' }, 'disagree'],
    // A mailbox that only spells the name adds nothing to an agreeing name.
    [{ email: 'wei.zhang@163.com', name: '张伟' }, { email: 'wei.zhang@qq.com', name: '张伟' }, 'missing'],
    [{ email: 'a@b.cn' }, {}, 'missing'],
  ])('%j ~ %j: %s', (a, b, expected) => {
    expect(levelName(EMAIL_LEVELS, compareEmails(rec(a), rec(b)))).toBe(expected);
  });
});

describe('phone comparison levels', () => {
  it.each([
    ['+86 138 0013 8000', '(138) 0013-8000', 'exact'],
    ['0086-13800138000', '13800138000', 'exact'],
    ['13800138000', '13900138000', 'tail'],
    ['13800138000', '13800138009', 'typo'],
    ['13800138000', '15912345678', 'disagree'],
    ['13800138000', '', 'missing'],
  ])('%s ~ %s: %s', (a, b, expected) => {
    const level = comparePhones(rec({ phone: a }).tels, rec({ phone: b }).tels);
    expect(levelName(PHONE_LEVELS, level)).toBe(expected);
  });
});

describe('birth date comparison levels', () => {
  it.each([
    ['1990-05-01', '1990年5月1日', 'exact'],
    ['1990-05-01', '1990-05-07', 'typo'],
    ['1990-05-01', '1990-01-05', 'transposed'],
    ['1990-05-01', '1972-11-23', 'disagree'],
    ['1990-05-01', '', 'missing'],
  ])('%s ~ %s: %s', (a, b, expected) => {
    const level = compareBirthDates(rec({ birthDate: a }).birth, rec({ birthDate: b }).birth);
    expect(levelName(BIRTH_LEVELS, level)).toBe(expected);
  });
});

describe('city comparison levels', () => {
  it.each([
    ['上海市', 'Shanghai', 'exact'],
    ['廣州', '广州', 'exact'],
    ['beaconsfield upper', 'beaconsfieod upper', 'similar'],
    ['上海', '北京', 'disagree'],
    ['上海', '', 'missing'],
  ])('%s ~ %s: %s', (a, b, expected) => {
    expect(levelName(CITY_LEVELS, compareCities(rec({ city: a }).city, rec({ city: b }).city))).toBe(
      expected,
    );
  });
});
