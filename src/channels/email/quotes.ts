/**
 * The new part of a reply: what the customer wrote above the quoted history. Mail clients quote
 * in a handful of ways; we recognise the common attributions (Gmail, Apple Mail and Thunderbird
 * "On … wrote:", Chinese clients' "在 … 写道：" and Gmail's "… 于 … 写道：", Outlook's header block
 * and "Original Message" rules) and cut everything from there, then drop `>` lines left above it.
 */
const ATTRIBUTION = [/^on\s.+\swrote:\s*$/i, /^在.+写道[:：]\s*$/, /^.+于.+写道[:：]\s*$/];
const ORIGINAL_MESSAGE = /^-{2,}\s*(original message|原始邮件|原始郵件)\s*-{2,}\s*$/i;
/** Outlook puts a rule, then `From:`/`发件人:` over the quoted message. */
const UNDERSCORES = /^_{10,}\s*$/;
const QUOTED_HEADER = /^(from|发件人|寄件者)\s*[:：]/i;

/**
 * Clients put a date or an address into their attribution; requiring one keeps a customer's own
 * "On the phone your colleague wrote:" from cutting off what follows it.
 */
function isAttribution(line: string): boolean {
  return ATTRIBUTION.some((re) => re.test(line)) && /\d|@/.test(line);
}

function cutAt(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    const next = (lines[i + 1] ?? '').trim();
    if (isAttribution(line) || ORIGINAL_MESSAGE.test(line)) return i;
    // Gmail wraps a long "On … wrote:" line in two.
    if (/^on\s/i.test(line) && next && isAttribution(`${line} ${next}`)) return i;
    if (UNDERSCORES.test(line) && QUOTED_HEADER.test(next)) return i;
    if (QUOTED_HEADER.test(line) && /^(sent|date|发送时间|日期)\s*[:：]/i.test(next) && i > 0) {
      const before = (lines[i - 1] ?? '').trim();
      if (before === '' || UNDERSCORES.test(before)) return i;
    }
  }
  return lines.length;
}

export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept = lines.slice(0, cutAt(lines)).filter((l) => !/^\s*>/.test(l));
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
