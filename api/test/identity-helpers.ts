import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { ErrorCode } from '../src/common/error-codes.js';
import type { Problem } from '../src/common/problem.schema.js';
import type { Role } from '../src/common/roles.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type InjectResult, type TestApp } from './http-harness.js';

/**
 * Helpers for the auth, API key and user HTTP tests. Unlike the harness's cached
 * `adminToken()`, these keep working after a test moves `t.clock` past the access-token
 * lifetime, so files that test expiry can share one app.
 */

/** Asserts an RFC 9457 problem response with the given status and stable code, and returns it. */
export function expectProblem(response: InjectResult, status: number, code: ErrorCode): Problem {
  expect(response.status, response.body).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json\b/);
  const body = response.json<Problem>();
  expect(body).toMatchObject({ status, code });
  return body;
}

const adminTokens = new WeakMap<TestApp, { token: string; at: number }>();

/** A working admin access token; signs in again when the fake clock has moved on. */
export async function adminToken(t: TestApp): Promise<string> {
  const now = t.clock.now().getTime();
  const cached = adminTokens.get(t);
  if (cached && now >= cached.at && now - cached.at < 5 * 60_000) return cached.token;
  const { accessToken } = await t.login(ADMIN_EMAIL, ADMIN_PASSWORD);
  adminTokens.set(t, { token: accessToken, at: now });
  return accessToken;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  accessToken: string;
  refreshToken: string;
}

/** A unique, never-before-used email address. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(5).toString('hex')}@aleflix.test`;
}

/** Creates a user through the API as the admin, then signs it in. */
export async function createUser(t: TestApp, role: Role = 'viewer', label: string = role): Promise<TestUser> {
  const email = uniqueEmail(label);
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const created = await t.request('POST', '/users', { token: await adminToken(t), body: { email, password, role } });
  expect(created.status, created.body).toBe(201);
  const { accessToken, refreshToken } = await t.login(email, password);
  return { id: created.json().id, email, password, role, accessToken, refreshToken };
}

/** Creates an API key with the given credential and returns the secret and its id. */
export async function createApiKey(
  t: TestApp,
  token: string,
  body: { name?: string; role?: Role; expiresInDays?: number } = {},
): Promise<{ id: string; key: string; role: Role }> {
  const response = await t.request('POST', '/auth/api-keys', { token, body: { name: 'test key', ...body } });
  expect(response.status, response.body).toBe(201);
  const { id, key, role } = response.json();
  return { id, key, role };
}

/** POST /auth/login from a chosen client address (the rate limiter counts per IP). */
export async function loginFrom(t: TestApp, ip: string, email: string, password: string): Promise<InjectResult> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/auth/login',
    remoteAddress: ip,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email, password }),
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: response.body,
    json: () => JSON.parse(response.body),
  };
}

/** PATCH /users/:id as the admin. */
export async function patchUser(t: TestApp, id: string, body: Record<string, unknown>): Promise<InjectResult> {
  return t.request('PATCH', `/users/${id}`, { token: await adminToken(t), body });
}
