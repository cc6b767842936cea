/** A page of a cursor-paginated list, as every list endpoint of the API returns it. */
export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/**
 * Yields every item of a cursor-paginated list, fetching page after page on demand
 * (stop iterating and no further page is requested).
 */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    const next = page.nextCursor ?? undefined;
    // A server handing back the cursor it was given would loop forever.
    if (next !== undefined && next === cursor) throw new Error(`Pagination did not advance (cursor ${next})`);
    cursor = next;
  } while (cursor !== undefined);
}
