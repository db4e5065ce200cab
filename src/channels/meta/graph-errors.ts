import type { SendResult } from '../contract.js';

/**
 * Graph API failures, shared by WhatsApp Cloud API and Messenger. Both answer an error as
 * `{error:{message,type,code,error_subcode,error_data,fbtrace_id,is_transient}}`
 * (developers.facebook.com/docs/graph-api/guides/error-handling); the `code` says more than the
 * HTTP status (WhatsApp's throughput limit 130429 comes back as a 400), so it decides first.
 */
export interface GraphError {
  code?: number;
  subcode?: number;
  message?: string;
  type?: string;
  details?: string;
  fbtraceId?: string;
  isTransient?: boolean;
}

export type Failure = Exclude<SendResult, { status: 'sent' }>;

/** Per-provider lists of Graph error codes whose meaning is known. */
export interface GraphErrorCodes {
  retryable: ReadonlySet<number>;
  final: ReadonlySet<number>;
}

export function readGraphError(body: string): GraphError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || !isRecord(parsed.error)) return undefined;
  const e = parsed.error;
  const data = isRecord(e.error_data) ? e.error_data : undefined;
  return {
    code: typeof e.code === 'number' ? e.code : undefined,
    subcode: typeof e.error_subcode === 'number' ? e.error_subcode : undefined,
    message: typeof e.message === 'string' ? e.message : undefined,
    type: typeof e.type === 'string' ? e.type : undefined,
    details: typeof data?.details === 'string' ? data.details : undefined,
    fbtraceId: typeof e.fbtrace_id === 'string' ? e.fbtrace_id : undefined,
    isTransient: typeof e.is_transient === 'boolean' ? e.is_transient : undefined,
  };
}

/**
 * Known codes decide; then Graph's own `is_transient`; then the HTTP status (429 and 5xx are
 * worth another try, any other 4xx will fail the same way again).
 */
export function classifyGraphFailure(status: number, body: string, codes: GraphErrorCodes): Failure {
  const err = readGraphError(body);
  const error = describe(status, err, body);
  const code = err?.code;
  if (code !== undefined && codes.retryable.has(code)) return { status: 'retryable', error };
  if (code !== undefined && codes.final.has(code)) return { status: 'final', error };
  if (err?.isTransient === true) return { status: 'retryable', error };
  if (status === 429 || status >= 500) return { status: 'retryable', error };
  return { status: 'final', error };
}

function describe(status: number, err: GraphError | undefined, body: string): string {
  if (!err) return `HTTP ${status}: ${body.slice(0, 200)}`;
  const code = err.code === undefined ? '' : ` #${err.code}${err.subcode ? `/${err.subcode}` : ''}`;
  const details = err.details ? ` (${err.details})` : '';
  const trace = err.fbtraceId ? ` [fbtrace_id ${err.fbtraceId}]` : '';
  return `HTTP ${status}${code}: ${err.message ?? 'unknown error'}${details}${trace}`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
