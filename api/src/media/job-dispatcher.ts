import { Inject, Injectable } from '@nestjs/common';
import type { MessageQueue, TranscodeJob } from '@aleflix/core';
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
    await this.queue.send(JSON.stringify(message), traceparent ? { attributes: { traceparent } } : {});
  }
}
