import { type CountryCode, findPhoneNumbersInText, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { type Claimed, unique } from './mask.js';

// The `max` metadata validates against each region's real number ranges; the default `min` set
// checks only lengths and would accept any 11 digits as a Chinese mobile.

/**
 * E.164 for a number written any common way ("138 0013 8000", "0086 13800138000",
 * "(010) 6552 9988"), or undefined when it is not a valid number. E.164 input comes back
 * unchanged, so normalising twice is the same as once.
 */
export function normalizePhone(raw: string, defaultRegion: CountryCode = 'CN'): string | undefined {
  const parsed = parsePhoneNumberFromString(raw, defaultRegion);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** Valid phone numbers in `text`, E.164, in order of appearance. */
export function extractPhones(text: string, defaultRegion: CountryCode): Claimed<string> {
  const matches = findPhoneNumbersInText(text, { defaultCountry: defaultRegion });
  let rest = '';
  let last = 0;
  const found: string[] = [];
  for (const m of matches) {
    if (!m.number.isValid()) continue;
    found.push(m.number.number);
    rest += text.slice(last, m.startsAt) + ' '.repeat(m.endsAt - m.startsAt);
    last = m.endsAt;
  }
  return { found: unique(found), rest: rest + text.slice(last) };
}
