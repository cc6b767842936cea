import { Injectable, Logger } from '@nestjs/common';
import { RedisConnection } from './redis.connection.js';

interface Envelope {
  /** The instance that published: it has already delivered the message to itself. */
  origin: string;
  payload: unknown;
}

export type RemoteMessageHandler = (payload: unknown) => void;

/**
 * Broadcasts between API instances over Redis pub/sub. Each message carries the publishing
 * instance's id and is handed to the handlers of every OTHER instance: the publisher acts
 * locally itself, so nothing is delivered twice. Delivery is at most once: while Redis is
 * away messages are lost, which is why users of this class also have a fallback (TTLs, or
 * "reconnect and take a fresh snapshot").
 */
@Injectable()
export class RedisPubSub {
  private readonly logger = new Logger('RedisPubSub');
  private readonly handlers = new Map<string, Set<RemoteMessageHandler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private listening = false;

  constructor(private readonly redis: RedisConnection) {}

  get enabled(): boolean {
    return this.redis.enabled;
  }

  /** Publishes to the other instances; never throws (what it reports already happened here). */
  async publish(channel: string, payload: unknown): Promise<void> {
    if (!this.redis.enabled) return;
    const envelope: Envelope = { origin: this.redis.instanceId, payload };
    try {
      await this.redis.run((redis) => redis.publish(this.redis.key('channel', channel), JSON.stringify(envelope)));
    } catch (error) {
      this.logger.warn(
        `Could not broadcast on ${channel}: ${error instanceof Error ? error.message : String(error)} (other instances miss it)`,
      );
    }
  }

  /** Calls `handler` with every payload another instance publishes on `channel`. */
  subscribe(channel: string, handler: RemoteMessageHandler): () => void {
    if (!this.redis.enabled) return () => undefined;
    this.listen();
    let handlers = this.handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.handlers.set(channel, handlers);
      this.redis
        .subscriber()
        .subscribe(this.redis.key('channel', channel))
        .catch((error: unknown) =>
          this.logger.warn(
            `Could not subscribe to ${channel}: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
    }
    handlers.add(handler);
    return () => handlers.delete(handler);
  }

  /**
   * Calls `handler` each time the subscriber connection becomes ready: messages published
   * while it was not were lost, so whoever keeps state derived from them resets it.
   */
  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    const subscriber = this.redis.subscriber();
    const prefix = this.redis.key('channel', '');
    subscriber.on('message', (fullChannel: string, text: string) => {
      if (!fullChannel.startsWith(prefix)) return;
      const handlers = this.handlers.get(fullChannel.slice(prefix.length));
      if (!handlers?.size) return;
      let envelope: Envelope;
      try {
        envelope = JSON.parse(text) as Envelope;
      } catch {
        this.logger.warn(`Ignoring a malformed message on ${fullChannel}`);
        return;
      }
      if (envelope.origin === this.redis.instanceId) return;
      for (const handler of handlers) {
        try {
          handler(envelope.payload);
        } catch (error) {
          this.logger.error(
            `A ${fullChannel} handler failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    });
    // Also on the first "ready": anything published before it (Redis down at start) was missed too.
    subscriber.on('ready', () => {
      for (const handler of this.reconnectHandlers) handler();
    });
    subscriber.connect().catch(() => undefined);
  }
}
