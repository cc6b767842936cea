import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiError } from '../common/api-error.js';
import { RedisConnection } from '../redis/redis.connection.js';

const CHECK_TIMEOUT_MS = 2_000;

export interface DependencyCheck {
  /** `degraded`: down, but the API works without it (slower, or less shared between instances). */
  status: 'up' | 'down' | 'degraded';
  latencyMs?: number;
}

export interface Readiness {
  status: 'ok' | 'degraded';
  checks: Record<string, DependencyCheck>;
}

@Injectable()
export class HealthService {
  private shuttingDown = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisConnection,
  ) {}

  /** Called on SIGTERM so load balancers stop sending traffic while requests drain. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  /**
   * Ready while the database answers. Redis is optional: without it the API serves from the
   * database (cache bypassed, rate limits not shared), so it only makes the answer
   * `degraded`, still a 200, and no load balancer takes every instance out at once.
   */
  async ready(): Promise<Readiness> {
    if (this.shuttingDown) throw new ApiError('service_unavailable', 'Shutting down');
    const started = performance.now();
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), CHECK_TIMEOUT_MS);
    } catch {
      throw new ApiError('service_unavailable', 'Database is not answering');
    }
    const checks: Record<string, DependencyCheck> = {
      database: { status: 'up', latencyMs: Math.round(performance.now() - started) },
    };
    if (this.redis.enabled) checks.redis = await this.checkRedis();
    const degraded = Object.values(checks).some((check) => check.status === 'degraded');
    return { status: degraded ? 'degraded' : 'ok', checks };
  }

  /** A PING through the circuit breaker: an open circuit is degraded without waiting for Redis. */
  private async checkRedis(): Promise<DependencyCheck> {
    if (this.redis.state === 'open') return { status: 'degraded' };
    const started = performance.now();
    try {
      await withTimeout(
        this.redis.run((redis) => redis.ping()),
        CHECK_TIMEOUT_MS,
      );
      return { status: 'up', latencyMs: Math.round(performance.now() - started) };
    } catch {
      return { status: 'degraded' };
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
