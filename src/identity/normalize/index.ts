// Normalizers for what identifies a customer: phones, e-mails, channel ids, names, birth dates
// and cities, each brought to one comparable form for identity matching and blocking.
// All are pure, idempotent (f(f(x)) = f(x) where the output is a valid input; for names,
// normalizeName(key.display) gives the same key less the honorific) and never throw on any string.

export { normalizeBirthDate } from './dates.js';
export { type EmailOptions, emailLocalPart, normalizeEmail } from './email.js';
export { type IdentifierOptions, normalizeIdentifier } from './identifiers.js';
export { type NameKey, normalizeName } from './names.js';
export { normalizePhone, phoneTail, type Region } from './phone.js';
export { cityKey, normalizeCity } from './places.js';
