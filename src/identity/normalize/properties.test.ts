import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LATIN_TITLE_WORDS } from './honorifics.js';
import {
  cityKey,
  normalizeBirthDate,
  normalizeCity,
  normalizeEmail,
  normalizeIdentifier,
  normalizeName,
  normalizePhone,
  type Region,
} from './index.js';

const E164 = /^\+[1-9]\d{6,14}$/;
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const runs = { numRuns: 500 };

// Inputs shaped like the real thing, so that the properties also meet valid values and not
// only the nulls that most random text gives.
const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
const phoneLike = fc.oneof(
  fc
    .tuple(fc.constantFrom('1'), fc.constantFrom('3', '5', '7', '8', '9'), digits(9, 9))
    .map((parts) => parts.join('')),
  fc
    .tuple(
      fc.constantFrom('', '+86 ', '0086-', '+1 ', '+44 ', '(0', '+86 (0)'),
      digits(6, 12),
      fc.constantFrom('', ' ', '-'),
    )
    .map(([prefix, body, sep]) => prefix + body.replace(/(\d{3})(?=\d)/g, `$1${sep}`)),
);
const regions = fc.constantFrom<Region>('CN', 'US', 'GB', 'HK', 'SG');
const emailOptions = fc.record({ gmailDots: fc.boolean(), plusTags: fc.boolean() }, { requiredKeys: [] });
const emailLike = fc.oneof(
  fc.emailAddress(),
  fc
    .tuple(
      fc.stringMatching(/^[A-Za-z0-9.+]{1,12}$/),
      fc.constantFrom('Gmail.com', 'googlemail.com', 'qq.com', '163.com'),
    )
    .map(([local, domain]) => ` ${local}@${domain} `),
);
const hanChar = fc.constantFrom(
  ...'张王李陈欧阳司马诸葛伟娜芳敏静强磊军洋勇艳杰涛明超秀霞平刚桂英单曾解張陳劉小老'.split(''),
);
const hanTitle = fc.constantFrom('', '先生', '女士', '小姐', '老师', '總', '老', 'Mr ', 'Dr. ');
const hanName = fc
  .tuple(fc.array(hanChar, { minLength: 1, maxLength: 4 }), hanTitle, fc.boolean())
  .map(([chars, title, prefixed]) => (prefixed ? title + chars.join('') : chars.join('') + title));
const latinWord = fc
  .stringMatching(/^[A-Za-zÀ-ÿ'-]{1,10}$/)
  // Titles are excluded: "Smith Jr" drops its suffix where "Jr Smith" has none to drop.
  .filter((w) => /[A-Za-zÀ-ÿ]/.test(w) && !LATIN_TITLE_WORDS.has(w.replace(/[^A-Za-z]/g, '').toLowerCase()));
const latinName = fc.array(latinWord, { minLength: 1, maxLength: 3 }).map((ws) => ws.join(' '));
const pad = (n: number) => String(n).padStart(2, '0');
/** A real date written in one of the accepted styles, with its ISO form. */
const datePair = fc
  .tuple(
    fc.date({ min: new Date('1800-01-01'), max: new Date('2199-12-31'), noInvalidDate: true }),
    fc.nat(5),
  )
  .map(([d, style]): [string, string] => {
    const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    const written = [
      `${y}-${m}-${day}`,
      `${y}/${m}/${day}`,
      `${y}年${m}月${day}日`,
      `${day}.${m}.${y}`,
      `${y}${pad(m)}${pad(day)}`,
      `${d.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' })} ${day}, ${y}`,
    ][style];
    return [written ?? '', `${y}-${pad(m)}-${pad(day)}`];
  });
const dateLike = datePair.map(([written]) => written);
const cityLike = fc.constantFrom(
  '上海市',
  '廣州',
  '广东省深圳市南山区',
  'Shanghai, China',
  'New York City',
  '香港',
  'city of city of x',
);

describe('every normalizer', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(anyText, regions, emailOptions, (s, region, options) => {
        normalizePhone(s, region);
        normalizeEmail(s, options);
        normalizeName(s);
        normalizeBirthDate(s);
        normalizeCity(s);
        cityKey(s);
        for (const kind of ['phone', 'whatsapp', 'email', 'device', 'unknown']) normalizeIdentifier(kind, s);
      }),
      runs,
    );
  });
});

describe('normalizePhone', () => {
  it('gives valid E.164 that normalizes to itself', () => {
    fc.assert(
      fc.property(fc.oneof(phoneLike, anyText), regions, (raw, region) => {
        const out = normalizePhone(raw, region);
        if (out === null) return;
        expect(out).toMatch(E164);
        expect(normalizePhone(out, region)).toBe(out);
        expect(normalizePhone(out, 'CN')).toBe(out);
      }),
      runs,
    );
  });
});

describe('normalizeEmail', () => {
  it('is idempotent under the same options', () => {
    fc.assert(
      fc.property(fc.oneof(emailLike, anyText), emailOptions, (raw, options) => {
        const out = normalizeEmail(raw, options);
        if (out !== null) expect(normalizeEmail(out, options)).toBe(out);
      }),
      runs,
    );
  });
});

describe('normalizeName', () => {
  const names = fc.oneof(hanName, latinName, anyText);

  it('gives the same key again from its display (less the honorific already taken)', () => {
    fc.assert(
      fc.property(names, (raw) => {
        const key = normalizeName(raw);
        if (key === null) return;
        const { honorific: _, ...rest } = key;
        expect(normalizeName(key.display)).toEqual(rest);
      }),
      runs,
    );
  });

  it('gives sorted tokens of lower-case ASCII letters', () => {
    fc.assert(
      fc.property(names, (raw) => {
        const tokens = normalizeName(raw)?.tokens ?? [];
        for (const t of tokens) expect(t).toMatch(/^[a-z]+$/);
        expect(tokens).toEqual([...tokens].sort());
      }),
      runs,
    );
  });

  it('gives the same tokens whichever order given name and surname are written in', () => {
    fc.assert(
      fc.property(latinWord, latinWord, (given, surname) => {
        const tokens = normalizeName(`${given} ${surname}`)?.tokens;
        expect(normalizeName(`${surname} ${given}`)?.tokens).toEqual(tokens);
        expect(normalizeName(`${surname}, ${given}`)?.tokens).toEqual(tokens);
      }),
      runs,
    );
  });
});

describe('normalizeBirthDate', () => {
  it('is idempotent and keeps the date it read', () => {
    fc.assert(
      fc.property(fc.oneof(dateLike, anyText), (raw) => {
        const out = normalizeBirthDate(raw);
        if (out === null) return;
        expect(out).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(normalizeBirthDate(out)).toBe(out);
      }),
      runs,
    );
  });

  it('reads every real date in every accepted style', () => {
    fc.assert(
      fc.property(datePair, ([written, iso]) => {
        expect(normalizeBirthDate(written)).toBe(iso);
      }),
      runs,
    );
  });
});

describe('normalizeCity and cityKey', () => {
  it('are idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(cityLike, hanName, latinName, anyText), (raw) => {
        const city = normalizeCity(raw);
        if (city !== null) expect(normalizeCity(city)).toBe(city);
        const key = cityKey(raw);
        if (key !== null) {
          expect(key).toMatch(/^[a-z]+$/);
          expect(cityKey(key)).toBe(key);
        }
      }),
      runs,
    );
  });
});

describe('normalizeIdentifier', () => {
  it('is idempotent for every kind', () => {
    const kinds = fc.constantFrom(
      'phone',
      'whatsapp',
      'email',
      'device',
      'wechat_openid',
      'telegram',
      'app_user',
    );
    fc.assert(
      fc.property(kinds, fc.oneof(phoneLike, emailLike, anyText), regions, (kind, raw, region) => {
        const out = normalizeIdentifier(kind, raw, { region, gmailDots: true });
        if (out !== null) expect(normalizeIdentifier(kind, out, { region, gmailDots: true })).toBe(out);
      }),
      runs,
    );
  });
});
