import { ERROR_CODES, type ErrorCode } from './error-codes.js';

export interface FieldError {
  /** JSON pointer-like dotted path of the offending field, e.g. `genres.2`. */
  field: string;
  message: string;
}

/**
 * The one error type services throw. The exception filter renders it as
 * application/problem+json; `code` is stable, `detail` is for humans.
 */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extras: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? ERROR_CODES[code].title);
    this.status = ERROR_CODES[code].status;
  }

  static notFound(what: string): ApiError {
    return new ApiError('not_found', `${what} not found`);
  }
}
