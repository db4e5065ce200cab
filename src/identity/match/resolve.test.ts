import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../core/index.js';
import {
  type ContactRecord,
  DEFAULT_SETTINGS,
  parseMatchSettings,
  type Resolution,
  resolveRecords,
} from './index.js';

const customerOf = (res: Resolution, id: string) => res.assignments.find((a) => a.id === id)?.customerId;

describe('resolveRecords', () => {
  it('merges one customer across phone formats, e-mail rules, WeChat and scripts, with the smallest id', () => {
    const res = resolveRecords([
      { id: 'c3', name: '張偉', wechatUnionId: 'oU1' },
      { id: 'c1', name: '张伟', phone: '+86 138 0013 8000' },
      { id: 'c2', name: 'Zhang Wei', phone: '0086-13800138000', email: 'Zhang.Wei+shop@GMAIL.com' },
      { id: 'c4', email: 'zhangwei@gmail.com', wechatUnionId: 'oU1' },
    ]);
    expect(res.assignments.map((a) => a.customerId)).toEqual(['c1', 'c1', 'c1', 'c1']);
    expect(res.clusters).toEqual([{ customerId: 'c1', recordIds: ['c1', 'c2', 'c3', 'c4'] }]);
    const unionid = res.links.find((l) => l.identifiers?.includes('wechatUnionId'));
    expect(unionid).toMatchObject({ kind: 'identifier', confidence: 1 });
  });

  it('keeps two people apart who share a household phone under clearly different names', () => {
    const res = resolveRecords([
      { id: 'h1', name: '张伟', phone: '021-5555 1234' },
      { id: 'h2', name: '李娜', phone: '(021) 5555-1234' },
      // A nameless call from that line cannot be told apart, so it joins neither.
      { id: 'h3', phone: '+86 21 5555 1234' },
    ]);
    expect(new Set(res.assignments.map((a) => a.customerId)).size).toBe(3);
  });

  it('links a weak identifier when the names agree and says how sure it is', () => {
    const res = resolveRecords([
      { id: 'p1', name: '王芳', phone: '13912345678' },
      { id: 'p2', name: 'Wang Fang', phone: '139 1234 5678', city: '上海' },
    ]);
    expect(customerOf(res, 'p2')).toBe('p1');
    const link = res.links[0]!;
    expect(link.kind).toBe('identifier');
    expect(link.identifiers).toEqual(['phone']);
    expect(link.evidence.map((e) => `${e.field}:${e.level}`)).toEqual(['name:tokens', 'phone:exact']);
    expect(link.total).toBeCloseTo(
      link.evidence.reduce((s, e) => s + e.weight, 0),
      9,
    );
  });

  it('keeps namesakes with nothing else in common apart', () => {
    const records: ContactRecord[] = [];
    for (let k = 0; k < 40; k++)
      records.push({
        id: `z${String(k).padStart(2, '0')}`,
        name: '张伟',
        phone: `1380000${String(k).padStart(4, '0')}`,
      });
    const res = resolveRecords(records);
    expect(res.clusters).toEqual([]);
  });

  it('does not depend on the order of the input', () => {
    const records: ContactRecord[] = [
      { id: 'a', name: '李娜', email: 'lina77@qq.com', birthDate: '1990-05-01' },
      { id: 'b', name: 'Li Na', email: 'LiNa77@QQ.com' },
      { id: 'c', name: '李娜', birthDate: '1990/5/1', city: '北京' },
      { id: 'd', name: '王磊', deviceId: 'dev-1' },
      { id: 'e', name: '王磊', deviceId: 'dev-1', phone: '13700000000' },
    ];
    const forward = resolveRecords(records);
    const backward = resolveRecords([...records].reverse());
    const byId = (r: Resolution) => Object.fromEntries(r.assignments.map((a) => [a.id, a]));
    expect(byId(backward)).toEqual(byId(forward));
    expect(backward.links).toEqual(forward.links);
  });

  it('reports how many pairs blocking kept', () => {
    const res = resolveRecords([
      { id: '1', name: '张伟' },
      { id: '2', name: '张伟' },
      { id: '3', name: 'John Smith' },
    ]);
    expect(res.stats.totalPairs).toBe(3);
    expect(res.stats.candidatePairs).toBe(1);
    expect(res.stats.blockingShare).toBeCloseTo(1 / 3, 9);
  });

  it('in link mode compares only records from different sources', () => {
    const res = resolveRecords(
      [
        { id: 'a1', name: 'John Smith', birthDate: '1970-01-01', source: 'a' },
        { id: 'a2', name: 'John Smith', birthDate: '1970-01-01', source: 'a' },
        { id: 'b1', name: 'John Smith', birthDate: '1980-01-01', source: 'b' },
      ],
      DEFAULT_SETTINGS,
      { mode: 'link' },
    );
    expect(res.stats.totalPairs).toBe(2);
    expect(res.stats.candidatePairs).toBe(2);
  });

  it('refuses a repeated or missing id', () => {
    expect(() => resolveRecords([{ id: 'x' }, { id: 'x' }])).toThrow(InvalidInput);
    expect(() => resolveRecords([{ id: '' }])).toThrow(InvalidInput);
  });
});

describe('parseMatchSettings', () => {
  it('fills defaults and takes overrides', () => {
    const s = parseMatchSettings({ defaultRegion: 'HK', upper: 0.99, identifierTrust: { phone: 'strong' } });
    expect(s).toMatchObject({ defaultRegion: 'HK', upper: 0.99, lower: DEFAULT_SETTINGS.lower });
    expect(s.identifierTrust.phone).toBe('strong');
    expect(s.identifierTrust.email).toBe('strong');
  });

  it.each([
    [[]],
    [{ upper: 2 }],
    [{ lower: 0.99, upper: 0.5 }],
    [{ defaultRegion: 'XX' }],
    [{ identifierTrust: { phone: 'sometimes' } }],
    [{ uper: 0.9 }],
  ])('refuses %j', (raw) => {
    expect(() => parseMatchSettings(raw)).toThrow(InvalidInput);
  });
});
