import { Inject, Injectable } from '@nestjs/common';
import type { MessageQueue, TranscodeJob } from '@aleflix/core';
import { traceContextAttributes } from '@aleflix/workers';
import type { JobEntity } from './job.entity.js';
import { JOBS_QUEUE } from './media.tokens.js';

/** Puts transcode jobs on the jobs queue, carrying the caller's trace context. */
@Injectable()
export class JobDispatcher {
  constructor(@Inject(JOBS_QUEUE) private readonly queue: MessageQueue) {}

  async dispatch(job: JobEntity, sourceKey: string, traceparent?: string): Promise<void> {
    const message: TranscodeJob = {
      type: 'transcode',
      version: 1,
      jobId: job.id,
      assetId: job.assetId,
      attempt: job.attempt,
      sourceKey,
      outputPrefix: job.outputPrefix,
    };
    // The active span's context when tracing is on (the worker's span becomes its child),
    // else the caller's traceparent as it came.
    const attributes = traceContextAttributes(traceparent);
    await this.queue.send(JSON.stringify(message), Object.keys(attributes).length > 0 ? { attributes } : {});
  }
}
