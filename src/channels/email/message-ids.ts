/**
 * One canonical form for Message-IDs on both sides: `<left@right>`, angle brackets kept, case kept
 * (RFC 5322 §3.6.4: compared as opaque strings). A parsed message's Message-ID becomes its
 * `provider_message_id`, and a customer's `In-Reply-To` is matched against ours verbatim, so parse
 * and send must agree on this exactly.
 */
const BRACKETED = /<([^<>\s]+@[^<>\s]+)>/g;
const BARE = /^[^<>\s@]+@[^<>\s@]+$/;

/** Every Message-ID in a header value (In-Reply-To may carry comments, References several ids). */
export function messageIds(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const part of Array.isArray(value) ? value : [value]) {
    const found = [...part.matchAll(BRACKETED)].map((m) => `<${m[1]}>`);
    if (found.length) out.push(...found);
    // Some clients write ids without the brackets the RFC requires.
    else if (BARE.test(part.trim())) out.push(`<${part.trim()}>`);
  }
  return [...new Set(out)];
}

export function messageId(value: string | string[] | undefined): string | undefined {
  return messageIds(value)[0];
}
