// Invariants of resolution over random record sets drawn from small pools of values, so that
// identifiers, names and households collide often.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { namesConflict } from './compare.js';
import { type ContactRecord, type Resolution, resolveRecords, seededRandom } from './index.js';
import { prepareName } from './prepare.js';

const opt = <T>(...values: T[]) => fc.option(fc.constantFrom(...values), { nil: undefined });
const NAMES = ['张伟', '張偉', 'Zhang Wei', '李娜', 'Li Na', '张先生', '王芳', 'John Smith'];
const PHONES = ['13800138000', '+86 138 0013 8000', '021-5555 1234', '(021) 5555 1234', '13912345678'];

const fields = (strong: boolean) =>
  fc.record({
    name: opt(...NAMES),
    phone: opt(...PHONES),
    email: strong
      ? opt('a@qq.com', 'A@QQ.com', 'zhang.wei@gmail.com', 'zhangwei@gmail.com')
      : fc.constant(undefined),
    wechatUnionId: strong ? opt('u1', 'u2') : fc.constant(undefined),
    deviceId: strong ? opt('d1', 'd2') : fc.constant(undefined),
    city: opt('上海', 'Shanghai', '北京'),
  });

const recordSet = (strong: boolean) =>
  fc.array(fields(strong), { maxLength: 14 }).map((list) =>
    list.map((f, k) => {
      const r: ContactRecord = { id: `r${String(k).padStart(2, '0')}` };
      for (const [key, v] of Object.entries(f))
        if (v !== undefined) (r as unknown as Record<string, string>)[key] = v;
      return r;
    }),
  );

const withPermutation = (strong: boolean) =>
  recordSet(strong).chain((records) =>
    fc.tuple(
      fc.constant(records),
      fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }),
    ),
  );

const assignmentsById = (res: Resolution) => Object.fromEntries(res.assignments.map((a) => [a.id, a]));

function components(res: Resolution): Map<string, string> {
  const parent = new Map(res.assignments.map((a) => [a.id, a.id]));
  const find = (x: string): string => (parent.get(x) === x ? x : find(parent.get(x)!));
  for (const l of res.links) parent.set(find(l.a), find(l.b));
  return new Map(res.assignments.map((a) => [a.id, find(a.id)]));
}

describe('resolution invariants', () => {
  it('deterministic links, and the whole resolution, do not depend on input order', () => {
    fc.assert(
      fc.property(withPermutation(true), ([records, shuffled]) => {
        const a = resolveRecords(records);
        const b = resolveRecords(shuffled);
        expect(assignmentsById(b)).toEqual(assignmentsById(a));
        expect(b.links).toEqual(a.links);
        expect(b.review).toEqual(a.review);
      }),
      { numRuns: 150 },
    );
  });

  it('puts every record in exactly one customer, named after its smallest record id', () => {
    fc.assert(
      fc.property(recordSet(true), (records) => {
        const res = resolveRecords(records);
        expect(res.assignments.map((a) => a.id)).toEqual(records.map((r) => r.id));
        const inClusters = res.clusters.flatMap((c) => c.recordIds);
        expect(new Set(inClusters).size).toBe(inClusters.length);
        const byId = assignmentsById(res);
        for (const c of res.clusters) {
          expect(c.customerId).toBe([...c.recordIds].sort()[0]);
          for (const id of c.recordIds) expect(byId[id]!.customerId).toBe(c.customerId);
        }
        for (const a of res.assignments) if (!inClusters.includes(a.id)) expect(a.customerId).toBe(a.id);
      }),
      { numRuns: 150 },
    );
  });

  it('merges transitively: customers are exactly the connected components of the links', () => {
    fc.assert(
      fc.property(recordSet(true), (records) => {
        const res = resolveRecords(records);
        const byId = assignmentsById(res);
        for (const l of res.links) expect(byId[l.a]!.customerId).toBe(byId[l.b]!.customerId);
        const comp = components(res);
        for (const a of res.assignments)
          for (const b of res.assignments)
            expect(comp.get(a.id) === comp.get(b.id)).toBe(a.customerId === b.customerId);
      }),
      { numRuns: 150 },
    );
  });

  it('never chains clearly different names together through shared phones or nameless records', () => {
    fc.assert(
      fc.property(recordSet(false), (records) => {
        const res = resolveRecords(records);
        const names = new Map(records.map((r) => [r.id, prepareName(r.name)]));
        for (const c of res.clusters)
          for (const x of c.recordIds)
            for (const y of c.recordIds) expect(namesConflict(names.get(x)!, names.get(y)!)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

/** People with a few records each; a record shows a random subset of their data, some of it noisy. */
function generated(seed: number): ContactRecord[] {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const SURNAMES = [
    ['王', 'Wang'],
    ['李', 'Li'],
    ['张', 'Zhang'],
    ['刘', 'Liu'],
    ['陈', 'Chen'],
    ['杨', 'Yang'],
  ];
  const GIVEN = [
    ['伟', 'Wei'],
    ['芳', 'Fang'],
    ['娜', 'Na'],
    ['敏', 'Min'],
    ['静', 'Jing'],
    ['磊', 'Lei'],
    ['军', 'Jun'],
    ['洋', 'Yang'],
    ['勇', 'Yong'],
    ['杰', 'Jie'],
    ['涛', 'Tao'],
    ['明', 'Ming'],
  ];
  const records: ContactRecord[] = [];
  for (let p = 0; p < 300; p++) {
    const [s, sp] = pick(SURNAMES)!;
    const given = [pick(GIVEN), pick(GIVEN)];
    const phone = `13${String(Math.floor(r() * 1e9)).padStart(9, '0')}`;
    const email = `${sp!.toLowerCase()}${Math.floor(r() * 1e4)}@163.com`;
    const birth = `${1950 + Math.floor(r() * 50)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`;
    const city = pick(['上海', '北京', '广州', '深圳', '杭州']);
    for (let k = 1 + Math.floor(r() * 3); k > 0; k--) {
      const rec: ContactRecord = { id: `p${p}-${k}` };
      if (r() < 0.8)
        rec.name =
          r() < 0.5 ? s + given.map((g) => g[0]).join('') : `${sp} ${given.map((g) => g[1]).join('')}`;
      if (r() < 0.6)
        rec.phone = r() < 0.5 ? phone : `+86 ${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;
      if (r() < 0.5) rec.email = email;
      if (r() < 0.5) rec.birthDate = birth;
      if (r() < 0.5) rec.city = city;
      records.push(rec);
    }
  }
  return records;
}

describe('EM on generated data', () => {
  it('converges, with m above u on agreement and below it on disagreement', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const { stats } = resolveRecords(generated(seed), undefined, { seed });
        expect(stats.emConverged).toBe(true);
        for (const f of stats.model.filter((x) =>
          ['name', 'email', 'phone', 'birthDate', 'city'].includes(x.field),
        )) {
          const disagree = f.levels.length - 1;
          expect(f.m[0]!, `${f.field} exact`).toBeGreaterThan(f.u[0]!);
          expect(f.m[disagree]!, `${f.field} disagree`).toBeLessThan(f.u[disagree]!);
        }
        const name = stats.model.find((x) => x.field === 'name')!;
        expect(name.m[1]!, 'name tokens').toBeGreaterThan(name.u[1]!);
      }),
      { numRuns: 5 },
    );
  });
});
