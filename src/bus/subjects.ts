import { InvalidInput } from '../core/index.js';

/** Bus subjects always have at least `sb.<tenant>.<aggregate>`; see `subjectFor`. */
const MIN_SUBJECT_TOKENS = 3;
// Wildcards are only meaningful as whole tokens; rejecting them inside tokens (and whitespace,
// which NATS forbids) keeps both implementations agreeing on every subject they accept.
const FORBIDDEN_IN_TOKEN = /[\s*>]/;
// Stricter than JetStream's consumer-name rules (no dots, wildcards, whitespace or path separators),
// so a name accepted here is valid there.
const DURABLE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * NATS subject matching: `*` is exactly one token, `>` one or more trailing tokens,
 * anything else must equal the subject's token.
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}

export function assertSubject(subject: string): void {
  const tokens = subject.split('.');
  if (tokens.length < MIN_SUBJECT_TOKENS || tokens.some((t) => t === '' || FORBIDDEN_IN_TOKEN.test(t))) {
    throw new InvalidInput(`"${subject}" is not a valid bus subject (sb.<tenantId>.<type>)`, 'subject');
  }
}

/**
 * Accepts only patterns that can match some bus subject: the first token is `sb` or a wildcard
 * (so the NATS bus can map it onto its prefix) and the pattern reaches the third token.
 */
export function assertPattern(pattern: string): void {
  const tokens = pattern.split('.');
  const last = tokens.length - 1;
  const wellFormed = tokens.every(
    (t, i) => t === '*' || (t === '>' && i === last) || (t !== '' && !FORBIDDEN_IN_TOKEN.test(t)),
  );
  const first = tokens[0];
  const inBusSpace = first === 'sb' || first === '*' || first === '>';
  const reachesSubjects = tokens.length >= MIN_SUBJECT_TOKENS || tokens[last] === '>';
  if (!wellFormed || !inBusSpace || !reachesSubjects) {
    throw new InvalidInput(`"${pattern}" is not a pattern that can match bus subjects (sb.…)`, 'pattern');
  }
}

export function assertDurableName(name: string): void {
  if (!DURABLE_NAME.test(name)) {
    throw new InvalidInput(`durable name "${name}" must be 1-128 of [A-Za-z0-9_-]`, 'durable');
  }
}

/**
 * Rewrites the leading `sb` token (or a leading wildcard) onto the stream's prefix, e.g. `sbtest_x`.
 * A leading wildcard is narrowed too, because a consumer filter must lie inside the stream's subjects.
 */
export function withPrefix(subjectOrPattern: string, prefix: string): string {
  const [first, ...rest] = subjectOrPattern.split('.');
  if (first === '>') return `${prefix}.>`;
  return [prefix, ...rest].join('.');
}
