import { AleflixApiError, AleflixNetworkError, type ProblemCode } from '@aleflix/sdk';
import { describe, expect, it } from 'vitest';
import { isSessionLost, loginFailure, statusOf } from '~/utils/errors';

const apiError = (status: number, code: ProblemCode) =>
  new AleflixApiError({
    status,
    problem: { type: 't', title: code, status, code },
    method: 'POST',
    url: '/auth/login',
    headers: new Headers(),
  });

describe('loginFailure', () => {
  it('tells the viewer why signing in failed', () => {
    expect(loginFailure(apiError(401, 'invalid_credentials'))).toBe('invalid');
    expect(loginFailure(apiError(400, 'validation_failed'))).toBe('invalid');
    expect(loginFailure(apiError(429, 'rate_limited'))).toBe('rateLimited');
    expect(loginFailure(apiError(403, 'account_disabled'))).toBe('disabled');
    expect(loginFailure(apiError(503, 'service_unavailable'))).toBe('network');
    expect(loginFailure(apiError(500, 'internal_error'))).toBe('unknown');
    expect(loginFailure(new AleflixNetworkError({ method: 'POST', url: '/x', cause: new Error('ECONNREFUSED') }))).toBe(
      'network',
    );
    expect(loginFailure(new Error('?'))).toBe('unknown');
  });
});

describe('statusOf and isSessionLost', () => {
  it('maps failures to the status of the error page', () => {
    expect(statusOf(apiError(404, 'not_playable'))).toBe(404);
    expect(statusOf(new AleflixNetworkError({ method: 'GET', url: '/x', cause: 1 }))).toBe(503);
    expect(statusOf({ statusCode: 404 })).toBe(404);
    expect(statusOf(new Error('x'))).toBe(500);
  });
  it('recognises a lost session', () => {
    expect(isSessionLost(apiError(401, 'refresh_token_reused'))).toBe(true);
    expect(isSessionLost(apiError(403, 'forbidden'))).toBe(false);
  });
});
