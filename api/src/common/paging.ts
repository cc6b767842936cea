import { z } from 'zod';
import { decodeCursor, encodeCursor } from './cursor.js';

export const MAX_PAGE_SIZE = 100;

/** `limit`: at least 1, `fallback` when absent, values above MAX_PAGE_SIZE clamped. */
export function pageLimit(fallback: number) {
  return z.coerce
    .number()
    .int()
    .min(1)
    .default(fallback)
    .transform((n) => Math.min(n, MAX_PAGE_SIZE));
}

export const pageCursor = z.string().max(500).optional();

/** Where a time-ordered page stopped: a timestamp (milliseconds) and the id that breaks ties. */
export interface TimePosition {
  at: string;
  id: string;
}

const TimeCursorSchema = z.object({ c: z.iso.datetime(), i: z.uuid() });

export function decodeTimeCursor(cursor: string | undefined): TimePosition | undefined {
  if (!cursor) return undefined;
  const { c, i } = decodeCursor(cursor, TimeCursorSchema);
  return { at: c, id: i };
}

/**
 * Cuts the `limit + 1` rows a repository returned into one page and the cursor of the next
 * (null on the last page).
 */
export function timePage<T extends { id: string }>(
  rows: readonly T[],
  limit: number,
  timeOf: (row: T) => Date,
): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor({ c: timeOf(last).toISOString(), i: last.id }) : null;
  return { page, nextCursor };
}
