// One entry point for every identity kind, so that callers never pick a normalizer by hand.
import { type EmailOptions, normalizeEmail } from './email.js';
import { normalizePhone, type Region } from './phone.js';

export interface IdentifierOptions extends EmailOptions {
  /** Region in which national phone numbers are read (default CN). */
  region?: Region;
}

/**
 * Dispatch by identity kind: phone and whatsapp → E.164; email → normalizeEmail; device,
 * wechat_openid, wechat_unionid, telegram, messenger, app_user (and any other kind) → trimmed
 * as is, since those ids are opaque and case-sensitive. Null when nothing usable remains.
 */
export function normalizeIdentifier(
  kind: string,
  raw: string,
  options: IdentifierOptions = {},
): string | null {
  if (typeof raw !== 'string') return null;
  switch (kind) {
    case 'phone':
      return normalizePhone(raw, options.region);
    case 'whatsapp': {
      // WhatsApp ids (wa_id) are international numbers without the +: 8613800138000. A number
      // typed by a person (13800138000) is not, so read it nationally when that fails.
      const digits = raw.trim();
      const international = /^\d+$/.test(digits) ? normalizePhone(`+${digits}`) : null;
      return international ?? normalizePhone(raw, options.region);
    }
    case 'email':
      return normalizeEmail(raw, options);
    default: {
      const value = raw.trim();
      return value === '' ? null : value;
    }
  }
}
