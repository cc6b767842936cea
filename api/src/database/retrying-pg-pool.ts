import pg from 'pg';
import { DATABASE_RETRY_POLICY, isRetryableConnect, retrying, type RetryHooks } from './transient-retry.js';

type ConnectCallback = (
  error: Error | undefined,
  client: pg.PoolClient | undefined,
  release: (release?: unknown) => void,
) => void;

const NOOP = () => {};

/**
 * node-postgres' Pool, except that checking out a connection is tried again (briefly, with
 * jitter) when the server refused it or the new connection died before it was handed out.
 * That is always safe: no statement has been sent yet. It is what lets the first request
 * after a database restart or failover succeed instead of failing. Dead idle connections
 * are already dropped by the pool itself (it listens for their `error`).
 */
export class RetryingPool extends pg.Pool {
  private readonly retryHooks: RetryHooks;

  /** `retryHooks` lets tests see and skip the waits; production waits for real. */
  constructor(options: pg.PoolConfig & { retryHooks?: RetryHooks } = {}) {
    const { retryHooks, ...poolOptions } = options;
    super(poolOptions);
    this.retryHooks = retryHooks ?? {};
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    const connected = retrying(
      () => super.connect(),
      (error) => !this.ending && isRetryableConnect(error),
      DATABASE_RETRY_POLICY,
      this.retryHooks,
    );
    if (!callback) return connected;
    // TypeORM and pool.query use the callback form.
    connected.then(
      (client) => callback(undefined, client, (release?: unknown) => client.release(release as Error | undefined)),
      (error: Error) => callback(error, undefined, NOOP),
    );
  }
}

/**
 * The `pg` module as TypeORM's `driver` option, with the retrying pool. Built on the module
 * as prototype rather than spread, so that none of its lazy getters (`native`) runs.
 */
export function retryingPgDriver(): typeof pg {
  return Object.assign(Object.create(pg) as typeof pg, { Pool: RetryingPool });
}
