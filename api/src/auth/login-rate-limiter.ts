import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Counts failed logins per client IP and per account in fixed windows; over the limit a
 * login is refused with 429 before the password is even checked. Kept in process memory
 * (one instance); a shared store arrives with Redis support.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Throws rate_limited when either the IP or the account is over its limit. */
  check(ip: string, email: string): void {
    const now = this.clock.now().getTime();
    const checks: Array<[string, number]> = [
      [`ip:${ip}`, this.config.env.LOGIN_MAX_PER_IP],
      [`account:${email.toLowerCase()}`, this.config.env.LOGIN_MAX_PER_ACCOUNT],
    ];
    for (const [key, limit] of checks) {
      const window = this.windows.get(key);
      if (window && window.resetAt > now && window.count >= limit) {
        const retryAfter = Math.max(1, Math.ceil((window.resetAt - now) / 1000));
        throw new ApiError('rate_limited', `Too many failed sign-in attempts; try again in ${retryAfter} s`, {
          headers: { 'retry-after': String(retryAfter) },
        });
      }
    }
  }

  recordFailure(ip: string, email: string): void {
    const now = this.clock.now().getTime();
    for (const key of [`ip:${ip}`, `account:${email.toLowerCase()}`]) {
      const window = this.windows.get(key);
      if (!window || window.resetAt <= now) {
        this.windows.set(key, { count: 1, resetAt: now + this.config.env.LOGIN_WINDOW_SECONDS * 1000 });
      } else {
        window.count += 1;
      }
    }
    if (this.windows.size > 100_000) this.evictExpired(now);
  }

  /** A successful login clears the account's counter (not the IP's). */
  recordSuccess(email: string): void {
    this.windows.delete(`account:${email.toLowerCase()}`);
  }

  private evictExpired(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
