import { Global, Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module.js';
import { EventsAuthorizer } from './events.authorizer.js';
import { InProcessJobEventsBus, JobEventsBus } from './events.bus.js';
import { EventsController } from './events.controller.js';
import { EventsGateway } from './events.gateway.js';
import { EventsService } from './events.service.js';

/**
 * Live job events: the bus (global, so the media module's JobEventsService can publish
 * without the two modules importing each other) and GET /events, WebSocket and plain.
 */
@Global()
@Module({
  imports: [MediaModule],
  controllers: [EventsController],
  providers: [
    { provide: JobEventsBus, useClass: InProcessJobEventsBus },
    EventsAuthorizer,
    EventsService,
    EventsGateway,
  ],
  exports: [JobEventsBus],
})
export class EventsModule {}
