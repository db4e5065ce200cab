// Masking a customer's identifiers for people who need to recognise them, not read them: agents see
// +86 138****8000, z***@example.com and oAbc…xyz; supervisors and above see the values (the
// tenant can turn masking off with `settings.maskPiiForAgents = false`). Each masker reveals at most
// what its comment states, and masking a masked value gives the same value back, so a value that
// went through twice (a cache, a re-sent event) shows nothing more.
import { getCountries, getCountryCallingCode } from 'libphonenumber-js/max';
import { type Role, roleAtLeast } from '../core/index.js';

/** E.164 country calling codes; they are prefix-free, so the first that matches is the one. */
const CALLING_CODES = new Set<string>([
  ...getCountries().map((c) => getCountryCallingCode(c) as string),
  // Non-geographic codes (freephone, satellite, global services).
  ...['800', '808', '870', '878', '881', '882', '883', '888', '979'],
]);

const HIDDEN = '*';
const ELLIPSIS = '…';

/** The country calling code at the start of `digits`, or '' when none is known. */
function callingCodeOf(digits: string): string {
  for (let len = 1; len <= 3; len++) {
    const code = digits.slice(0, len);
    if (/^\d+$/.test(code) && CALLING_CODES.has(code)) return code;
  }
  return '';
}

/**
 * A telephone number: the country code (when written with + or known to be international), then
 * the first 3 and last 4 digits of the national number with the rest as *. At least 3 digits, and at
 * least 30 % of them, are always hidden, so shorter numbers show less: 10 and more digits show 3+4,
 * 8 show 1+4, 7 or fewer show the last N−3. `+8613800138000` → `+86 138****8000`.
 */
export function maskPhone(value: string, options: { international?: boolean } = {}): string {
  const text = value.trim();
  const plus = text.startsWith('+');
  // A * is a digit already hidden: masking a masked number keeps its shape.
  const slots = [...text].filter((ch) => (ch >= '0' && ch <= '9') || ch === HIDDEN).join('');
  const international = plus || options.international === true;
  const code = international ? callingCodeOf(slots) : '';
  const national = slots.slice(code.length);
  const n = national.length;
  const hidden = Math.min(n, Math.max(3, Math.ceil(n * 0.3)));
  const tail = Math.min(4, n - hidden);
  const head = Math.min(3, n - hidden - tail);
  const masked = national.slice(0, head) + HIDDEN.repeat(n - head - tail) + national.slice(n - tail);
  const prefix = `${plus ? '+' : ''}${code}${code ? ' ' : ''}`;
  return prefix + masked;
}

/** An e-mail address: the first character of the local part, then ***, then the domain. `zhang.wei@example.com` → `z***@example.com`. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return maskIdentifier(value);
  const first = [...value.slice(0, at)][0] ?? '';
  return `${first}***@${value.slice(at + 1)}`;
}

/**
 * Any other identifier (an openid, a device id, a chat id): at most the first 4 and last 3
 * characters, and never more than a quarter of it at each end, around an ellipsis.
 * `oAbc1234567890xyz` → `oAbc…xyz`.
 */
export function maskIdentifier(value: string): string {
  const chars = [...value];
  const at = chars.indexOf(ELLIPSIS);
  if (at >= 0) {
    // Already masked (or written with an ellipsis): keep no more than a mask would show.
    return `${chars.slice(0, at).slice(0, 4).join('')}${ELLIPSIS}${chars
      .slice(at + 1)
      .slice(-3)
      .join('')}`;
  }
  const quarter = Math.floor(chars.length / 4);
  const head = Math.min(4, quarter);
  const tail = Math.min(3, quarter);
  return `${chars.slice(0, head).join('')}${ELLIPSIS}${tail ? chars.slice(-tail).join('') : ''}`;
}

/** A customer's identity value by its kind. */
export function maskIdentityValue(kind: string, value: string): string {
  if (kind === 'phone') return maskPhone(value);
  // WhatsApp ids are phone numbers, often without the +.
  if (kind === 'whatsapp' && /^\+?[\d*][\d*\s-]*$/.test(value.trim()))
    return maskPhone(value, { international: true });
  if (kind === 'email') return maskEmail(value);
  return maskIdentifier(value);
}

/** Whether someone of this role sees customers' identifiers masked, given the tenant's settings. */
export function masksPiiFor(role: Role, tenantSettings: Record<string, unknown>): boolean {
  if (roleAtLeast(role, 'supervisor')) return false;
  return tenantSettings.maskPiiForAgents !== false;
}
