import { type Claimed, claim, unique } from './mask.js';

// Deliberately simpler than RFC 5322: the addresses customers type into chat. The local part
// allows digits only (QQ mail: 12345678@qq.com), which is why e-mails are claimed before phones.
const EMAIL =
  /(?<![\w.%+-])[a-z0-9](?:[a-z0-9._%+-]{0,62}[a-z0-9_])?@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?![a-z0-9-])/gi;

export function extractEmails(text: string): Claimed<string> {
  const { found, rest } = claim(text, EMAIL, (m) => m[0].toLowerCase());
  return { found: unique(found), rest };
}
