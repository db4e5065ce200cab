// A contact record from untrusted JSON (an import file, an API body): known fields must be
// strings (a number is taken as its digits, since phones and ids arrive both ways); other keys,
// such as `channel`, are ignored.
import { InvalidInput } from '../../core/index.js';
import type { ContactRecord } from './model.js';

const TEXT_FIELDS = [
  'name',
  'phone',
  'email',
  'deviceId',
  'wechatOpenId',
  'wechatUnionId',
  'whatsapp',
  'telegramId',
  'birthDate',
  'city',
  'source',
] as const;

function text(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new InvalidInput(`${field} must be a string`, field);
}

export function parseContactRecord(value: unknown): ContactRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidInput('a record must be a JSON object');
  const o = value as Record<string, unknown>;
  const id = text(o.id, 'id');
  if (id === undefined || id.trim() === '') throw new InvalidInput('id is missing', 'id');
  const r: ContactRecord = { id };
  for (const f of TEXT_FIELDS) {
    const v = text(o[f], f);
    if (v !== undefined) r[f] = v;
  }
  if (o.identifiers !== undefined && o.identifiers !== null) {
    if (typeof o.identifiers !== 'object' || Array.isArray(o.identifiers))
      throw new InvalidInput('identifiers must map identifier kinds to values', 'identifiers');
    const ids: Record<string, string> = {};
    for (const [kind, v] of Object.entries(o.identifiers)) {
      const t = text(v, `identifiers.${kind}`);
      if (t !== undefined) ids[kind] = t;
    }
    r.identifiers = ids;
  }
  return r;
}
