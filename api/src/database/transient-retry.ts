import { setTimeout as sleep } from 'node:timers/promises';
import { transientDatabaseFailure, type TransientDatabaseFailure } from './transient-errors.js';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The n-th retry waits a random time up to `baseDelayMs * 2^(n-1)` ("full jitter"). */
  baseDelayMs: number;
}

/**
 * Short on purpose: a blip (a reset connection, a failover's first refused connect) is over
 * in a few hundred milliseconds, and a real outage must reach the client as a quick 503
 * with Retry-After rather than as a request that hangs while we keep trying.
 */
export const DATABASE_RETRY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 50 };

/**
 * Failures worth another try: the connection was refused or died. A timeout is not: the
 * server or the pool is saturated, and trying again at once would only add to it.
 */
const RETRY_WORTHY: ReadonlySet<TransientDatabaseFailure> = new Set(['unreachable', 'lost']);

export interface RetryHooks {
  /** Waits between tries; replaced by tests. */
  delay?: (ms: number) => Promise<unknown>;
  random?: () => number;
  onRetry?: (error: unknown, attempt: number) => void;
}

/** Runs `work`, trying again while `shouldRetry(error)` says so and tries are left. */
export async function retrying<T>(
  work: () => Promise<T>,
  shouldRetry: (error: unknown) => boolean,
  policy: RetryPolicy = DATABASE_RETRY_POLICY,
  hooks: RetryHooks = {},
): Promise<T> {
  const delay = hooks.delay ?? sleep;
  const random = hooks.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= policy.attempts || !shouldRetry(error)) throw error;
      hooks.onRetry?.(error, attempt);
      await delay(Math.round(random() * policy.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}

/**
 * For an idempotent read outside any transaction (a SELECT on the pool): runs it again when
 * the connection was refused or died under it. Never use it for a write or inside a
 * transaction: a statement whose connection died may have been applied.
 */
export function retryTransientRead<T>(work: () => Promise<T>, hooks?: RetryHooks): Promise<T> {
  return retrying(work, isRetryableRead, DATABASE_RETRY_POLICY, hooks);
}

export function isRetryableRead(error: unknown): boolean {
  const failure = transientDatabaseFailure(error);
  return failure !== undefined && RETRY_WORTHY.has(failure);
}

/**
 * For opening (or checking out) a connection, before any statement is sent: safe for every
 * caller, writes and transactions included. A pooled connection that died while idle and a
 * refused connect are both tried again; a timeout is not (the pool or server is saturated).
 */
export function isRetryableConnect(error: unknown): boolean {
  const failure = transientDatabaseFailure(error);
  return failure !== undefined && RETRY_WORTHY.has(failure);
}
