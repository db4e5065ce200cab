import { classifyGraphFailure, type Failure } from '../meta/graph-errors.js';

/**
 * WhatsApp Cloud API error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
 * Throughput and pair rate limits come back as HTTP 400, so the code decides, not the status.
 */
const RETRYABLE = new Set([
  1, // API Unknown: "invalid request or possible server error"
  2, // API Service: temporary downtime or overload
  4, // API Too Many Calls (app rate limit)
  80007, // WhatsApp Business Account rate limit
  130429, // Cloud API throughput reached
  131000, // Something went wrong
  131016, // Service unavailable
  131056, // Business/consumer pair rate limit
  131057, // Account in maintenance mode
  133004, // Server temporarily unavailable
]);

const FINAL = new Set([
  0, // AuthException
  3, // capability or permission issue (comes as 500, but retrying will not grant it)
  10, // permission denied
  33, // the business phone number was deleted
  100, // invalid parameter
  190, // access token expired: a human has to issue a new one
  368, // temporarily blocked for policy violations
  130472, // recipient is part of an experiment
  130497, // business may not message users in this country
  131005, // access denied
  131008, // required parameter missing
  131009, // parameter value not valid
  131021, // recipient cannot be sender
  131026, // message undeliverable (not on WhatsApp, blocked us, old app)
  131031, // account locked
  131042, // payment issue
  131045, // incorrect certificate
  131047, // re-engagement: more than 24 hours since the customer last wrote
  // Spam rate limit: quality-based, and sending more lowers the quality further; needs a human.
  131048,
  131049, // Meta chose not to deliver (per-user marketing limit)
  131050, // the user stopped marketing messages
  131051, // unsupported message type
  131052, // media download error
  131053, // media upload error
  132000, // template parameter count mismatch
  132001, // template does not exist
  132005, // template hydrated text too long
  132007, // template format character policy violated
  132012, // template parameter format mismatch
  132015, // template paused
  132016, // template disabled
  135000, // generic user error
]);

export function classifyWhatsAppFailure(status: number, body: string): Failure {
  return classifyGraphFailure(status, body, { retryable: RETRYABLE, final: FINAL });
}
