import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireRole } from '../auth/auth.decorators.js';
import { ApiAuth, ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import { JobsService } from './jobs.service.js';
import {
  DeadLetterListSchema,
  JobListSchema,
  JobSchema,
  ListJobsQuerySchema,
  type ListJobsQuery,
} from './media.dto.js';

@ApiTags('jobs')
@ApiAuth()
@RequireRole('editor')
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @ApiOperation({ summary: 'List transcoding jobs (attempt, status, progress, ETA, worker)' })
  @ApiOk(JobListSchema)
  @ApiProblems(400, 401, 403)
  listJobs(@Query({ schema: ListJobsQuerySchema }) query: ListJobsQuery) {
    return this.jobs.list(query);
  }

  @Get('dead-letters')
  @ApiOperation({
    summary: 'Dead-lettered queue messages with their reason',
    description: 'Poison messages and jobs whose worker kept dying; newest first.',
  })
  @ApiOk(DeadLetterListSchema)
  @ApiProblems(401, 403)
  async listDeadLetters() {
    return { items: await this.jobs.deadLetters() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a job' })
  @ApiOk(JobSchema)
  @ApiProblems(400, 401, 403, 404)
  getJob(@Param('id', { schema: z.uuid() }) id: string) {
    return this.jobs.get(id);
  }
}
