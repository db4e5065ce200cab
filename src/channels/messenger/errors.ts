import { classifyGraphFailure, type Failure } from '../meta/graph-errors.js';

/**
 * Messenger Send API error codes (developers.facebook.com/docs/messenger-platform/reference/send-api/error-codes,
 * …/messenger-platform/error-codes).
 */
const RETRYABLE = new Set([
  1200, // Temporary send message failure. Please try again later.
  2, // An unexpected error has occurred. Please retry your request later.
  4, // Application request limit reached
  17, // User request limit reached
  32, // Page request limit reached
  613, // Calls to this API have exceeded the rate limit
  80006, // Messenger business-use-case rate limit
]);

const FINAL = new Set([
  1, // Unknown error; on Messenger it is usually missing permissions or Advanced Access
  10, // permission: e.g. 2018278, sent outside the allowed messaging window
  100, // invalid parameter: e.g. 2018001, no matching user found
  190, // invalid or expired Page access token: a human has to issue a new one
  200, // permission: e.g. 1545041, person not available
  230, // requires pages_messaging permission
  368, // temporarily blocked for policy violations
  551, // This person isn't available right now
]);

export function classifyMessengerFailure(status: number, body: string): Failure {
  return classifyGraphFailure(status, body, { retryable: RETRYABLE, final: FINAL });
}
