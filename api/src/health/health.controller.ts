import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators.js';
import { ApiOk, ApiProblemsWithoutRateLimit } from '../common/openapi.decorators.js';
import { HealthService } from './health.service.js';

export const LiveSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Liveness' });
export const ReadySchema = z
  .object({
    status: z
      .enum(['ok', 'degraded'])
      .describe('`degraded`: an optional dependency (Redis) is down; the API still serves, from the database'),
    checks: z
      .record(
        z.string(),
        z.object({
          status: z
            .enum(['up', 'down', 'degraded'])
            .describe('`degraded`: not answering, and the API works around it (cache bypassed)'),
          latencyMs: z.number().optional(),
        }),
      )
      .describe('One entry per dependency: `database` always, `redis` when REDIS_URL is set'),
  })
  .meta({ id: 'Readiness' });

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process is serving HTTP' })
  @ApiOk(LiveSchema)
  @ApiProblemsWithoutRateLimit()
  live() {
    return { status: 'ok' as const };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: dependencies answer (database; Redis when configured)',
    description:
      '503 service_unavailable when the database does not answer. Redis being down is not a reason to take the instance out: the answer is still 200, with `status: degraded`.',
  })
  @ApiOk(ReadySchema)
  @ApiProblemsWithoutRateLimit(503)
  ready() {
    return this.health.ready();
  }
}
