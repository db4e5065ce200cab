// Latin text folded to plain ASCII letters, so that José, JOSE and jose compare equal.

// Letters that Unicode does not decompose into base letter + mark, so NFKD alone keeps them.
const UNDECOMPOSABLE: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  ŀ: 'l',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
};
const UNDECOMPOSABLE_RE = /[ßæœøđðłŀþıħ]/g;

/** Lower-cases and removes diacritics (José → jose, Müller → muller, Łódź → lodz); other characters stay. */
export function foldLatin(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(UNDECOMPOSABLE_RE, (c) => UNDECOMPOSABLE[c] ?? c);
}

/** Only the ASCII letters a–z of the folded text (O'Brien → obrien, Jean-Luc → jeanluc). */
export function asciiLetters(s: string): string {
  return foldLatin(s).replace(/[^a-z]/g, '');
}
