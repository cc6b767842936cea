import { randomUUID } from 'node:crypto';
import { Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { Gauge } from 'prom-client';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';

/** A request must never wait long for a cache or a counter: the database is the fallback. */
const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 1_000;
/** Reconnect attempts back off up to this delay, and never give up. */
const MAX_RECONNECT_DELAY_MS = 2_000;
export const BREAKER_FAILURE_THRESHOLD = 3;
export const BREAKER_COOLDOWN_MS = 2_000;

/**
 * The API's Redis connections, only when REDIS_URL is set: one for commands and one for
 * pub/sub subscriptions (a subscribed connection can do nothing else). Commands fail fast
 * while Redis is away (no offline queue, one retry, short timeouts) and go through one
 * circuit breaker, so that after a few failures every Redis user falls back at once instead
 * of paying a timeout per request. Connecting is lazy: the API starts without Redis.
 */
type ScriptCall = (...keysAndArgs: string[]) => Promise<unknown>;
/** Runs a script defined by RedisConnection.defineScript: its keys first, then its arguments. */
export type LuaScript = (redis: Redis, ...keysAndArgs: string[]) => Promise<unknown>;

@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  /** Tells this process's own pub/sub messages apart from those of other instances. */
  readonly instanceId = randomUUID();
  readonly prefix: string;
  private readonly logger = new Logger('Redis');
  private readonly commands: Redis | undefined;
  private subscriberConnection: Redis | undefined;
  private readonly breaker: CircuitBreaker;
  private readonly breakerOpen: Gauge | undefined;
  /** Settles when the first connection attempt has succeeded or failed. */
  private firstAttempt: Promise<void> | undefined;
  private closing = false;

  constructor(
    private readonly config: AppConfig,
    @Optional() metrics?: MetricsService,
  ) {
    this.prefix = config.env.REDIS_KEY_PREFIX;
    const url = config.env.REDIS_URL;
    this.breakerOpen =
      url && metrics
        ? new Gauge({
            name: 'aleflix_redis_circuit_open',
            help: 'Whether the circuit breaker in front of Redis is open (1: Redis is bypassed)',
            registers: [metrics.registry],
          })
        : undefined;
    this.breakerOpen?.set(0);
    this.breaker = new CircuitBreaker({
      failureThreshold: BREAKER_FAILURE_THRESHOLD,
      cooldownMs: BREAKER_COOLDOWN_MS,
      onStateChange: (state, cause) => this.onBreakerChange(state, cause),
    });
    if (url) {
      const commands = this.open(url, 'commands', {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        // Commands issued in the same tick (every request's rate-limit counters and cache
        // reads under load) go out as one write and come back as one read.
        enableAutoPipelining: true,
      });
      this.commands = commands;
      this.firstAttempt = new Promise<void>((resolve) => {
        for (const event of ['ready', 'error', 'end']) commands.once(event, () => resolve());
      }).then(() => {
        this.firstAttempt = undefined;
      });
      // Not awaited: the API starts without Redis. Errors are logged by the listeners of open().
      commands.connect().catch(() => undefined);
    }
  }

  get enabled(): boolean {
    return this.commands !== undefined;
  }

  /** Closed (Redis in use), open (bypassed after failures) or half-open (trying it again). */
  get state(): CircuitState {
    return this.breaker.state;
  }

  /**
   * A Lua script as a command of the command connection. ioredis sends it by its SHA1
   * (EVALSHA) and the full text only when Redis does not know it yet (NOSCRIPT), so a hot
   * script costs Redis neither the text nor hashing it on every call. `name` must be unique.
   */
  defineScript(name: string, lua: string, numberOfKeys: number): LuaScript {
    this.commands?.defineCommand(name, { lua, numberOfKeys });
    return (redis, ...keysAndArgs) => (redis as unknown as Record<string, ScriptCall>)[name]!(...keysAndArgs);
  }

  /** `parts` joined under REDIS_KEY_PREFIX: every key and channel of this API goes through here. */
  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /**
   * Runs `work` on the command connection through the breaker; fails fast while it is open.
   * Only the commands issued while the very first connection is being made wait for it (at
   * most the connect timeout), so that starting up is not mistaken for an outage.
   */
  async run<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
    const commands = this.commands;
    if (!commands) throw new Error('REDIS_URL is not set');
    if (this.firstAttempt) await this.firstAttempt;
    return this.breaker.run(() => work(commands));
  }

  /**
   * The subscriber connection, opened on first use. It keeps an offline queue: a SUBSCRIBE
   * issued before Redis answers is sent once it does, and ioredis subscribes again after a
   * reconnect.
   */
  subscriber(): Redis {
    const url = this.config.env.REDIS_URL;
    if (!url) throw new Error('REDIS_URL is not set');
    this.subscriberConnection ??= this.open(url, 'subscriber', {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    return this.subscriberConnection;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [this.commands, this.subscriberConnection].map(async (connection) => {
        if (!connection) return;
        // QUIT lets pending replies arrive; a Redis that is down gets no second chance.
        await Promise.race([
          connection.quit().catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, COMMAND_TIMEOUT_MS).unref()),
        ]);
        connection.disconnect();
      }),
    );
  }

  private open(url: string, role: string, options: RedisOptions): Redis {
    const connection = new Redis(url, {
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: role === 'subscriber' ? undefined : COMMAND_TIMEOUT_MS,
      retryStrategy: (attempt) => (this.closing ? null : Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS)),
      connectionName: `aleflix-api-${role}`,
      ...options,
    });
    // One line per change of state, not one per failed reconnect attempt.
    let up = false;
    let reported = false;
    connection.on('ready', () => {
      up = true;
      reported = false;
      this.logger.log(`Redis ${role} connection ready`);
    });
    connection.on('error', (error: Error) => {
      if (this.closing || reported) return;
      reported = true;
      this.logger.warn(`Redis ${role} connection ${up ? 'lost' : 'failed'}: ${error.message}`);
    });
    connection.on('close', () => {
      up = false;
    });
    return connection;
  }

  private onBreakerChange(state: CircuitState, cause: unknown): void {
    this.breakerOpen?.set(state === 'closed' ? 0 : 1);
    if (state === 'open') {
      const reason = cause instanceof Error ? cause.message : String(cause);
      this.logger.warn(`Redis circuit open (${reason}): serving from the database until Redis answers again`);
    } else if (state === 'closed') {
      this.logger.log('Redis circuit closed: Redis is in use again');
    }
  }
}
