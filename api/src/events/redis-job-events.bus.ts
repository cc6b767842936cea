import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { RedisPubSub } from '../redis/redis.pubsub.js';
import { InProcessJobEventsBus } from './events.bus.js';
import { JobEventMessageSchema, type JobEventMessage } from './events.dto.js';

const CHANNEL = 'job-events';

/** An asset announced gone travels on the same channel as job events, so it stays behind its last one. */
const AssetGoneSchema = z.strictObject({ assetGone: z.uuid() });

/**
 * The bus for several API instances (selected when REDIS_URL is set): an instance delivers
 * what it applied to its own sockets at once, as the in-process bus does, and publishes it on
 * Redis; every other instance delivers it to its sockets when it arrives. The publisher skips
 * its own messages, so nothing is delivered twice. Order per asset holds: one instance applies
 * an asset's events in order and Redis keeps each publisher's order. While Redis is down other
 * instances miss events; their clients catch up with the snapshot on reconnect.
 */
@Injectable()
export class RedisJobEventsBus extends InProcessJobEventsBus implements OnModuleInit, OnModuleDestroy {
  private readonly remoteLogger = new Logger('RedisJobEventsBus');
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly pubsub: RedisPubSub) {
    super();
  }

  onModuleInit(): void {
    this.unsubscribe = this.pubsub.subscribe(CHANNEL, (payload) => {
      const gone = AssetGoneSchema.safeParse(payload);
      if (gone.success) {
        super.publishAssetGone(gone.data.assetGone);
        return;
      }
      const message = JobEventMessageSchema.safeParse(payload);
      if (!message.success) {
        this.remoteLogger.warn(
          `Ignoring a malformed job event from another instance: ${message.error.issues[0]?.message}`,
        );
        return;
      }
      super.publish(message.data);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  override publish(message: JobEventMessage): void {
    super.publish(message);
    void this.pubsub.publish(CHANNEL, message);
  }

  override publishAssetGone(assetId: string): void {
    super.publishAssetGone(assetId);
    void this.pubsub.publish(CHANNEL, { assetGone: assetId } satisfies z.infer<typeof AssetGoneSchema>);
  }
}
