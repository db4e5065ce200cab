// String similarity for comparison levels. Jaro–Winkler as in Winkler (1990): prefix scale 0.1,
// at most four prefix characters, boost only above 0.7.

export function jaro(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const matchedA = new Uint8Array(la);
  const matchedB = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = from; j <= to; j++) {
      if (matchedB[j] || b.charCodeAt(j) !== c) continue;
      matchedA[i] = 1;
      matchedB[j] = 1;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let halfTranspositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!matchedA[i]) continue;
    while (!matchedB[k]) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) halfTranspositions++;
    k++;
  }
  const t = halfTranspositions / 2;
  return (matches / la + matches / lb + (matches - t) / matches) / 3;
}

export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j <= 0.7) return j;
  let prefix = 0;
  const max = Math.min(4, a.length, b.length);
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

/** A token that merely starts another is another name: pinyin jun (俊) is not junna (俊娜). */
const PREFIX_CAP = 0.7;

/** Jaro–Winkler between name tokens, except that a strict prefix two or more letters short is capped. */
export function tokenJaroWinkler(x: string, y: string): number {
  const jw = jaroWinkler(x, y);
  if (Math.abs(x.length - y.length) >= 2 && (x.startsWith(y) || y.startsWith(x)))
    return Math.min(jw, PREFIX_CAP);
  return jw;
}

/** Mean over `from`'s tokens of the best token similarity against any of `to`'s (Monge & Elkan 1996). */
function mongeElkan(from: readonly string[], to: readonly string[]): number {
  let sum = 0;
  for (const x of from) {
    let best = 0;
    for (const y of to) best = Math.max(best, tokenJaroWinkler(x, y));
    sum += best;
  }
  return sum / from.length;
}

/** Symmetric Monge–Elkan: token order and a swapped given name/surname do not matter. */
export function tokenSimilarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  return (mongeElkan(a, b) + mongeElkan(b, a)) / 2;
}

/** True when every token of the shorter list has a near-identical token in the longer one. */
export function tokensContained(short: readonly string[], long: readonly string[], min = 0.92): boolean {
  if (short.length === 0 || short.length >= long.length) return false;
  return short.every((x) => long.some((y) => x === y || tokenJaroWinkler(x, y) >= min));
}

/** Same length and exactly one position differs (a keying error in a number or a date). */
export function oneSubstitution(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i) && ++diff > 1) return false;
  return true;
}

/** Same length and two adjacent characters swapped. */
export function adjacentSwap(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}
