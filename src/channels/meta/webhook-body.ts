import { InvalidInput } from '../../core/index.js';
import type { RawRequest } from '../contract.js';
import { isRecord } from './graph-errors.js';

/**
 * Reading a Meta webhook body: `{object, entry:[…]}` for both WhatsApp (`whatsapp_business_account`)
 * and Messenger (`page`). Fields are read defensively: Meta adds fields and event types freely,
 * and an unknown one must not fail the whole delivery.
 */
export type Json = Record<string, unknown>;

export function readWebhookEntries(req: RawRequest, object: string): Json[] {
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    throw new InvalidInput('the webhook body is not JSON', 'body');
  }
  if (!isRecord(body)) throw new InvalidInput('the webhook body is not a JSON object', 'body');
  if (body.object !== object) {
    throw new InvalidInput(
      `expected a webhook for object "${object}", got ${JSON.stringify(body.object)}`,
      'object',
    );
  }
  if (!Array.isArray(body.entry) || !body.entry.every(isRecord)) {
    throw new InvalidInput('the webhook body has no entry list', 'entry');
  }
  return body.entry;
}

export function obj(o: Json | undefined, key: string): Json | undefined {
  const v = o?.[key];
  return isRecord(v) ? v : undefined;
}

export function objs(o: Json | undefined, key: string): Json[] {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

export function str(o: Json | undefined, key: string): string | undefined {
  const v = o?.[key];
  if (typeof v === 'string') return v;
  // Meta sends some ids and timestamps as numbers in one product and strings in the other.
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function num(o: Json | undefined, key: string): number | undefined {
  const v = o?.[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Epoch seconds (WhatsApp) or milliseconds (Messenger) to ISO-8601. */
export function isoFrom(epoch: number | undefined, unit: 's' | 'ms'): string | undefined {
  if (epoch === undefined) return undefined;
  const d = new Date(unit === 's' ? epoch * 1000 : epoch);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
