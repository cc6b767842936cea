import { JobEventSchema, type JobEvent, type MessageQueue, type TranscodeJob } from '@aleflix/core';
import { markActiveSpanFailed } from './observability/job-tracing.js';
import { traceContextAttributes } from './observability/trace-context.js';

export type EventBody<T extends JobEvent['type']> = Omit<
  Extract<JobEvent, { type: T }>,
  'version' | 'jobId' | 'assetId' | 'attempt' | 'workerId' | 'at' | 'type'
>;

/**
 * Publishes a job's events, stamping the common fields and the trace context: the active
 * span's (so the API's handling of the event continues the job's trace), or the job
 * message's own `traceparent` when tracing is off.
 */
export class JobEventPublisher {
  constructor(
    private readonly queue: MessageQueue,
    private readonly job: TranscodeJob,
    private readonly workerId: string,
    private readonly traceparent: string | undefined,
  ) {}

  async publish<T extends JobEvent['type']>(type: T, body: EventBody<T>): Promise<void> {
    // Validated on the way out too: the API dead-letters what does not parse, and a bug here
    // is better found as a worker error than as a stuck asset.
    const event = JobEventSchema.parse({
      type,
      version: 1,
      jobId: this.job.jobId,
      assetId: this.job.assetId,
      attempt: this.job.attempt,
      workerId: this.workerId,
      at: new Date().toISOString(),
      ...body,
    });
    if (event.type === 'failed') markActiveSpanFailed(event.code);
    const attributes = traceContextAttributes(this.traceparent);
    await this.queue.send(JSON.stringify(event), Object.keys(attributes).length > 0 ? { attributes } : {});
  }
}

/**
 * Sends progress one event at a time, in order, keeping only the newest report while a send
 * is in flight (a slow queue never builds a backlog of stale percentages). `flush` waits for
 * the last one, so a `ready` or `failed` event never overtakes the final progress event.
 */
export class ProgressSender {
  private latest: EventBody<'progress'> | undefined;
  private pumping: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly publisher: JobEventPublisher,
    private readonly onError: (error: unknown) => void,
  ) {}

  push(progress: EventBody<'progress'>): void {
    if (this.closed) return;
    this.latest = progress;
    this.pumping ??= this.pump();
  }

  async flush(): Promise<void> {
    await this.pumping;
  }

  /**
   * Sends nothing more: the report waiting for its turn is dropped, later ones are ignored.
   * For a run that is being abandoned (its message released to another worker), whose
   * progress would only muddle the next run's. `flush` still waits for a send in flight.
   */
  close(): void {
    this.closed = true;
    this.latest = undefined;
  }

  private async pump(): Promise<void> {
    while (this.latest) {
      const next = this.latest;
      this.latest = undefined;
      try {
        await this.publisher.publish('progress', next);
      } catch (error) {
        this.onError(error);
      }
    }
    this.pumping = undefined;
  }
}
