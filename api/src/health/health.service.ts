import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiError } from '../common/api-error.js';

const CHECK_TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
  private shuttingDown = false;

  constructor(private readonly dataSource: DataSource) {}

  /** Called on SIGTERM so load balancers stop sending traffic while requests drain. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async ready(): Promise<{ status: 'ok'; checks: Record<string, { status: 'up' | 'down'; latencyMs?: number }> }> {
    if (this.shuttingDown) throw new ApiError('service_unavailable', 'Shutting down');
    const started = performance.now();
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), CHECK_TIMEOUT_MS);
    } catch {
      throw new ApiError('service_unavailable', 'Database is not answering');
    }
    return { status: 'ok', checks: { database: { status: 'up', latencyMs: Math.round(performance.now() - started) } } };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
