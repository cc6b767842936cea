import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ApiError } from '../common/api-error.js';
import { decodeCursor, encodeCursor } from '../common/cursor.js';
import { JobsRepository } from './jobs.repository.js';
import type { JobView, ListJobsQuery } from './media.dto.js';
import { toJobView } from './media.mapper.js';

const PageCursorSchema = z.object({ c: z.string(), i: z.uuid() });

@Injectable()
export class JobsService {
  constructor(private readonly jobs: JobsRepository) {}

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
