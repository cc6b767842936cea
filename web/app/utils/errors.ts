import { AleflixApiError, AleflixNetworkError } from '@aleflix/sdk';

export type LoginFailure = 'invalid' | 'rateLimited' | 'disabled' | 'network' | 'unknown';

export function loginFailure(error: unknown): LoginFailure {
  if (error instanceof AleflixNetworkError) return 'network';
  if (!(error instanceof AleflixApiError)) return 'unknown';
  switch (error.code) {
    case 'invalid_credentials':
    case 'validation_failed':
      return 'invalid';
    case 'rate_limited':
      return 'rateLimited';
    case 'account_disabled':
      return 'disabled';
    default:
      return error.status === 503 || error.status === 502 ? 'network' : 'unknown';
  }
}

/** The HTTP status to show for a failed API call (404 for "not there or not yours"). */
export function statusOf(error: unknown): number {
  if (error instanceof AleflixApiError) return error.status;
  if (error instanceof AleflixNetworkError) return 503;
  const status = (error as { statusCode?: unknown; status?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : 500;
}

/** The session is gone (expired refresh token, revoked, signed out elsewhere). */
export function isSessionLost(error: unknown): boolean {
  return error instanceof AleflixApiError && error.status === 401;
}
