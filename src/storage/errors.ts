/**
 * PostgreSQL reports a unique-key violation as SQLSTATE 23505 with the constraint's name; both
 * node-postgres and PGlite surface them as `code` and `constraint` on the error.
 */
export function isUniqueViolation(err: unknown, constraintPrefix?: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  if (e?.code !== '23505') return false;
  return constraintPrefix === undefined || String(e.constraint ?? '').startsWith(constraintPrefix);
}

/** SQLSTATE 23503: the row is still referenced, or references a row that does not exist. */
export function isForeignKeyViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23503';
}
