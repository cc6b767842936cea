import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { AssetsController } from './assets.controller.js';
import { AssetsRepository } from './assets.repository.js';
import { AssetsService } from './assets.service.js';
import { AttachmentResolver } from './attachment.resolver.js';
import { EmbeddedWorker } from './embedded-worker.js';
import { JobDispatcher } from './job-dispatcher.js';
import { JobEventsConsumer } from './job-events.consumer.js';
import { JobEventsService } from './job-events.service.js';
import { JobsController } from './jobs.controller.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsService } from './jobs.service.js';
import { createObjectStorageFor, createQueue, EVENTS_QUEUE_NAME, JOBS_QUEUE_NAME } from './media.adapters.js';
import { MediaSweeper } from './media-sweeper.js';
import { EVENTS_QUEUE, JOBS_QUEUE, OBJECT_STORAGE } from './media.tokens.js';
import { PlaybackController } from './playback.controller.js';
import { PlaybackService } from './playback.service.js';
import { PlaybackSigner } from './playback-signer.js';
import { UploadsController } from './uploads.controller.js';
import { UploadsRepository } from './uploads.repository.js';
import { UploadsService } from './uploads.service.js';

const PART_ROUTE = /^\/uploads\/[^/?]+\/parts\/[^/?]+(\?|$)/;

@Module({
  controllers: [UploadsController, AssetsController, JobsController, PlaybackController],
  providers: [
    { provide: OBJECT_STORAGE, useFactory: createObjectStorageFor, inject: [AppConfig] },
    {
      provide: JOBS_QUEUE,
      useFactory: (config: AppConfig, dataSource: DataSource) =>
        createQueue(config, dataSource, JOBS_QUEUE_NAME, config.env.SQS_JOBS_QUEUE_URL),
      inject: [AppConfig, DataSource],
    },
    {
      provide: EVENTS_QUEUE,
      useFactory: (config: AppConfig, dataSource: DataSource) =>
        createQueue(config, dataSource, EVENTS_QUEUE_NAME, config.env.SQS_EVENTS_QUEUE_URL),
      inject: [AppConfig, DataSource],
    },
    AssetsRepository,
    JobsRepository,
    UploadsRepository,
    AttachmentResolver,
    JobDispatcher,
    UploadsService,
    AssetsService,
    JobsService,
    JobEventsService,
    JobEventsConsumer,
    MediaSweeper,
    PlaybackSigner,
    PlaybackService,
    EmbeddedWorker,
  ],
  exports: [
    JobEventsConsumer,
    MediaSweeper,
    EmbeddedWorker,
    AssetsRepository,
    JobsRepository,
    OBJECT_STORAGE,
    JOBS_QUEUE,
    EVENTS_QUEUE,
  ],
})
export class MediaModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Part uploads arrive as raw bytes; hand the request stream to the handler unparsed. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (!fastify.hasContentTypeParser('application/octet-stream')) {
      fastify.addContentTypeParser('application/octet-stream', (request, payload, done) => {
        // Raw bytes are only for upload parts; everywhere else the API takes JSON.
        if (!PART_ROUTE.test(request.url)) {
          done(
            Object.assign(new Error('Only upload parts take application/octet-stream'), {
              statusCode: 415,
              code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
            }),
            undefined,
          );
          return;
        }
        done(null, payload);
      });
    }
  }
}
