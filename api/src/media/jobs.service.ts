import { Inject, Injectable } from '@nestjs/common';
import type { DeadLetter, MessageQueue } from '@aleflix/core';
import { z } from 'zod';
import { ApiError } from '../common/api-error.js';
import { decodeCursor, encodeCursor } from '../common/cursor.js';
import { JobsRepository } from './jobs.repository.js';
import type { DeadLetterView, JobView, ListJobsQuery } from './media.dto.js';
import { EVENTS_QUEUE, JOBS_QUEUE } from './media.tokens.js';
import { toJobView } from './media.mapper.js';

const PageCursorSchema = z.object({ c: z.string(), i: z.uuid() });

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
    const after = query.cursor ? decodeCursor(query.cursor, PageCursorSchema) : undefined;
    const rows = await this.jobs.page(
      { ...(query.assetId ? { assetId: query.assetId } : {}), ...(query.status ? { status: query.status } : {}) },
      query.limit,
      after ? { createdAt: after.c, id: after.i } : undefined,
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > query.limit && last ? encodeCursor({ c: last.createdAt.toISOString(), i: last.id }) : null;
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
