import { QueryFailedError } from 'typeorm';

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
}

/** True for a PostgreSQL unique violation (SQLSTATE 23505), on either engine. */
export function isUniqueViolation(error: unknown): error is QueryFailedError & { driverError: PgError } {
  return error instanceof QueryFailedError && (error.driverError as PgError | undefined)?.code === '23505';
}

/** The column named in a unique violation's detail, e.g. `Key (slug)=(x) already exists.` */
export function violatedColumn(error: QueryFailedError & { driverError: PgError }): string | undefined {
  const detail = error.driverError.detail ?? '';
  return /Key \(([^)]+)\)/.exec(detail)?.[1];
}
