// Extractors run in a fixed order and each blanks out what it claimed, so a later extractor cannot
// read a phone number out of an order number or an amount. Blanking keeps offsets and separates
// neighbours with spaces, which also keeps word boundaries intact.

export interface Claimed<T> {
  found: T[];
  /** The input with every claimed span replaced by spaces. */
  rest: string;
}

/** Runs `pattern` (global) over `text`; `read` turns a match into a value, or undefined to leave it. */
export function claim<T>(
  text: string,
  pattern: RegExp,
  read: (m: RegExpExecArray) => T | undefined,
): Claimed<T> {
  const found: T[] = [];
  let rest = '';
  let last = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (m[0].length === 0) {
      pattern.lastIndex++; // a tenant pattern that can match empty must not loop forever
      continue;
    }
    const value = read(m);
    if (value === undefined) continue;
    found.push(value);
    rest += text.slice(last, m.index) + ' '.repeat(m[0].length);
    last = m.index + m[0].length;
  }
  return { found, rest: rest + text.slice(last) };
}

/** Keeps the first of equal values, in order of appearance. */
export function unique<T>(values: readonly T[], key: (v: T) => string = String): T[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = key(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
