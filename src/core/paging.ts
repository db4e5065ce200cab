/** Keyset pagination over time-ordered ids: the cursor is the last id of the previous page. */
export interface PageRequest {
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

export function pageLimit(req: PageRequest): number {
  return Math.min(Math.max(req.limit ?? DEFAULT_PAGE, 1), MAX_PAGE);
}

/** Given rows fetched with `limit + 1`, cut the extra row and derive the next cursor. */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { items: kept.map(map), nextCursor: more ? (kept.at(-1)?.id ?? null) : null };
}
