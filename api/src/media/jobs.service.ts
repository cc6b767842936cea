import { Inject, Injectable } from '@nestjs/common';
import type { DeadLetter, MessageQueue } from '@aleflix/core';
import { ApiError } from '../common/api-error.js';
import { decodeTimeCursor, timePage } from '../common/paging.js';
import { JobsRepository } from './jobs.repository.js';
import type { DeadLetterView, JobView, ListJobsQuery } from './media.dto.js';
import { EVENTS_QUEUE, JOBS_QUEUE } from './media.tokens.js';
import { toJobView } from './media.mapper.js';

@Injectable()
export class JobsService {
  constructor(
    private readonly jobs: JobsRepository,
    @Inject(JOBS_QUEUE) private readonly jobsQueue: MessageQueue,
    @Inject(EVENTS_QUEUE) private readonly eventsQueue: MessageQueue,
  ) {}

  /** Messages that could not be processed (poison, or too many failed deliveries). */
  async deadLetters(limit = 50): Promise<DeadLetterView[]> {
    const [jobs, events] = await Promise.all([this.jobsQueue.deadLetters(limit), this.eventsQueue.deadLetters(limit)]);
    return [
      ...jobs.map((letter) => toDeadLetterView('jobs', letter)),
      ...events.map((letter) => toDeadLetterView('events', letter)),
    ]
      .sort((a, b) => b.sentAt.localeCompare(a.sentAt))
      .slice(0, limit);
  }

  async list(query: ListJobsQuery): Promise<{ items: JobView[]; nextCursor: string | null }> {
    const after = decodeTimeCursor(query.cursor);
    const rows = await this.jobs.page(
      { ...(query.assetId ? { assetId: query.assetId } : {}), ...(query.status ? { status: query.status } : {}) },
      query.limit,
      after ? { createdAt: after.at, id: after.id } : undefined,
    );
    const { page, nextCursor } = timePage(rows, query.limit, (job) => job.createdAt);
    return { items: page.map(toJobView), nextCursor };
  }

  async get(id: string): Promise<JobView> {
    const job = await this.jobs.findById(id);
    if (!job) throw ApiError.notFound('Job');
    return toJobView(job);
  }
}

function toDeadLetterView(queue: 'jobs' | 'events', letter: DeadLetter): DeadLetterView {
  let parsed: { jobId?: unknown; assetId?: unknown } = {};
  try {
    parsed = JSON.parse(letter.body) as typeof parsed;
  } catch {
    // Unparseable bodies are the usual reason a message is here.
  }
  return {
    id: letter.id,
    queue,
    receiveCount: letter.receiveCount,
    sentAt: letter.sentAt.toISOString(),
    reason: letter.reason ?? null,
    jobId: typeof parsed.jobId === 'string' ? parsed.jobId : null,
    assetId: typeof parsed.assetId === 'string' ? parsed.assetId : null,
    body: letter.body.slice(0, 2000),
  };
}
