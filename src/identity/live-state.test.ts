import { describe, expect, it } from 'vitest';
import type { Matchable } from './live-index.js';
import { TenantState } from './live-state.js';
import { DEFAULT_SETTINGS } from './match/index.js';
import { priorModel, type TenantMatching } from './tenant-model.js';

const m: TenantMatching = {
  settings: { ...DEFAULT_SETTINGS, upper: 0.9, lower: 0.5 },
  model: priorModel(),
  trained: null,
};

let n = 0;
function customer(displayName: string, identities: [string, string][], createdAt?: string): Matchable {
  n++;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    displayName,
    attributes: {},
    identities: identities.map(([kind, value]) => ({ kind, value })),
    createdAt: createdAt ?? new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  };
}

function loaded(customers: Matchable[], stored: (c: Matchable) => string[] = () => ['x']): TenantState {
  const s = new TenantState();
  s.loadStart(DEFAULT_SETTINGS);
  s.loadPage(customers.map((c) => ({ customer: c, stored: stored(c) })));
  s.loadEnd([]);
  return s;
}

describe('one tenant’s live state (in the identity worker)', () => {
  it('says at load which customers have no stored keys and which have keys that disagree', () => {
    const a = customer('张伟', [['phone', '+8613800138000']]);
    const b = customer('李娜', [['phone', '+8613900139000']]);
    const c = customer('王芳', [['phone', '+8613700137000']]);
    const s = new TenantState();
    s.loadStart(DEFAULT_SETTINGS);
    const first = s.loadPage([
      { customer: a, stored: [] },
      { customer: b, stored: ['n:stale'] },
    ]);
    const keysOfC = s.loadPage([{ customer: c, stored: [] }]).recover;
    // Not visible before the load ends: the old (empty) index serves until then.
    expect(s.index.size).toBe(0);
    expect(s.loadEnd([[a.id, c.id]])).toBe(3);
    expect(first.recover).toEqual([a.id]);
    expect(first.rekey.map((r) => r.id)).toEqual([b.id]);
    expect(first.rekey[0]!.keys).toEqual(s.keysOf(b.id));
    expect(keysOfC).toEqual([c.id]);
    expect(s.index.apart(a.id, c.id)).toBe(true);
  });

  it('merges the same person above the upper threshold and applies it before it is written', () => {
    const old = customer('张伟', [
      ['phone', '+8613800138000'],
      ['email', 'zhangwei@corp.example'],
    ]);
    const s = loaded([old]);
    const me = customer('Zhang Wei', [['phone', '+8613800138000']]);
    const { decision } = s.match(m, me.id, me, true);
    expect(decision?.merge).toMatchObject({ survivorId: old.id, mergedId: me.id });
    expect(decision?.merge?.evidence.fields?.map((f) => f.field)).toContain('name');
    // The merged customer is out at once; the survivor carries its identities; a stale copy cannot come back.
    expect(s.index.get(me.id)).toBeUndefined();
    expect(s.index.get(old.id)!.identities.map((i) => i.value)).toContain('+8613800138000');
    expect(s.match(m, me.id, me, true)).toEqual({ hadKeys: false });
    // Written: the survivor's keys are what its key rows become.
    s.unpend(me.id);
    expect(s.keysOf(old.id).length).toBeGreaterThan(0);
  });

  it('suggests between the thresholds and never proposes a separated pair', () => {
    const a = customer('陈静', [['email', 'jingjing.c@corp.example']]);
    const b = customer('陈静', [['email', 'jingjing.c@163.example']]);
    const s = loaded([a]);
    // Same name, same mailbox name at another provider: above `lower`, below this `upper`.
    const strict = { ...m, settings: { ...m.settings, upper: 0.99 } };
    const first = s.match(strict, b.id, b, true).decision!;
    expect(first.merge).toBeUndefined();
    expect(first.suggestions.map((x) => x.customerId)).toEqual([a.id]);
    s.index.separate(a.id, b.id);
    expect(s.redecide(strict, b.id)!.suggestions).toEqual([]);
  });

  it('keeps a newer write when an older read comes back', () => {
    const a = customer('刘洋', [['phone', '+8613800138000']]);
    const s = loaded([a]);
    const before = s.seq;
    // Set after the read began: the read's copy (the old name) must not overwrite it.
    s.set(a.id, { ...a, displayName: '王芳' });
    const keys = s.apply(before, [{ id: a.id, data: a, rekey: true }]);
    expect(s.index.get(a.id)!.displayName).toBe('王芳');
    expect(keys[a.id]).toEqual(s.keysOf(a.id));
    // A read that began after it wins.
    s.apply(s.seq, [{ id: a.id, data: null, rekey: false }]);
    expect(s.index.get(a.id)).toBeUndefined();
  });

  it('tells which customers nothing has set since the load', () => {
    const a = customer('刘洋', [['phone', '+8613800138000']]);
    const b = customer('李娜', [['phone', '+8613900139000']]);
    const s = loaded([a, b]);
    s.set(b.id, b);
    expect(s.unstamped([a.id, b.id])).toEqual([a.id]);
  });

  it('says when a customer with keys has none left (its key rows must go)', () => {
    const a = customer('刘洋', [['phone', '+8613800138000']]);
    const s = loaded([a]);
    expect(
      s.match(m, a.id, { ...a, displayName: '', identities: [{ kind: 'device', value: 'd-1' }] }, true),
    ).toEqual({
      hadKeys: true,
    });
  });
});
