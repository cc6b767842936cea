import { Global, Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module.js';
import { RedisPubSub } from '../redis/redis.pubsub.js';
import { EventsAuthorizer } from './events.authorizer.js';
import { InProcessJobEventsBus, JobEventsBus } from './events.bus.js';
import { EventsController } from './events.controller.js';
import { EventsGateway } from './events.gateway.js';
import { EventsService } from './events.service.js';
import { RedisJobEventsBus } from './redis-job-events.bus.js';

/**
 * Live job events: the bus (global, so the media module's JobEventsService can publish
 * without the two modules importing each other; over Redis pub/sub when REDIS_URL is set)
 * and GET /events, WebSocket and plain.
 */
@Global()
@Module({
  imports: [MediaModule],
  controllers: [EventsController],
  providers: [
    {
      // Several instances share events over Redis pub/sub; a single one needs no broker.
      provide: JobEventsBus,
      useFactory: (pubsub: RedisPubSub): JobEventsBus =>
        pubsub.enabled ? new RedisJobEventsBus(pubsub) : new InProcessJobEventsBus(),
      inject: [RedisPubSub],
    },
    EventsAuthorizer,
    EventsService,
    EventsGateway,
  ],
  exports: [JobEventsBus],
})
export class EventsModule {}
