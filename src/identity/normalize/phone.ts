// Telephone numbers to E.164, the one form in which the same line always looks the same.
// libphonenumber's full ("max") metadata checks number ranges, not just lengths: a length
// check would let placeholders such as 11111111111 or +1 000 000 0000 through, and one
// placeholder shared by many records would merge unrelated customers.
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type Region = CountryCode;

// Longer than any dialable string with an extension; libphonenumber stops at 250 anyway.
const MAX_RAW = 200;

// Chinese extension markers (010-6552 9988 转 123) that libphonenumber does not know;
// an extension is not part of the E.164 number.
const CHINESE_EXTENSION = /(?:转|分机)[\s\d-]*$/u;

/**
 * E.164 (+8613800138000) or null when the text holds no valid number. A national number is
 * read in `region`, which defaults to CN: Switchboard serves Chinese enterprises first, so
 * 13800138000 and (010) 6552 9988 need no country code. Numbers written with + or with an
 * international prefix (0086…, 00 44…) are read as written whatever the region.
 * Numbers in ranges reserved for fiction are refused with every invalid one, such as UK
 * 07700 900000–900999 (Ofcom's drama range).
 */
export function normalizePhone(raw: string, region: Region = 'CN'): string | null {
  if (typeof raw !== 'string' || raw.length > MAX_RAW) return null;
  // NFKC turns full-width digits and ＋ (common from Chinese input methods) into ASCII.
  const text = raw.replace(/\p{C}/gu, '').normalize('NFKC').replace(CHINESE_EXTENSION, '');
  // An unknown region would make libphonenumber throw; read such input as international only.
  const defaultCountry = isSupportedCountry(region) ? region : undefined;
  const parsed = parsePhoneNumberFromString(text, { defaultCountry });
  return parsed?.isValid() ? parsed.number : null;
}

/** The last `digits` digits (default 7) of an E.164 number, for partial-phone comparisons and blocking. */
export function phoneTail(e164: string, digits = 7): string {
  if (typeof e164 !== 'string') return '';
  const all = e164.replace(/\D/g, '');
  const n = Number.isNaN(digits) ? 7 : Math.min(all.length, Math.max(0, Math.trunc(digits)));
  // slice(-0) would return everything.
  return n === 0 ? '' : all.slice(-n);
}
