/**
 * The only thing the SQL queue needs from a database: run one parameterised statement and
 * get its rows. The API adapts TypeORM's `DataSource.query`; tests adapt PGlite and `pg`.
 */
export interface SqlClient {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** Anything with a `pg`-style `query(text, params) → { rows }` (pg Pool/Client, PGlite). */
export interface RowsQueryable {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Adapts a `pg` Pool or Client, or a PGlite instance, to SqlClient. */
export function sqlClientFrom(db: RowsQueryable): SqlClient {
  return {
    async query<T>(text: string, params?: unknown[]): Promise<T[]> {
      const result = await db.query(text, params);
      return result.rows as T[];
    },
  };
}
