import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators.js';
import { ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import { HealthService } from './health.service.js';

export const LiveSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Liveness' });
export const ReadySchema = z
  .object({
    status: z.enum(['ok']),
    checks: z.record(z.string(), z.object({ status: z.enum(['up', 'down']), latencyMs: z.number().optional() })),
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
  @ApiProblems()
  live() {
    return { status: 'ok' as const };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: dependencies answer (database)',
    description: '503 service_unavailable when not.',
  })
  @ApiOk(ReadySchema)
  @ApiProblems(503)
  ready() {
    return this.health.ready();
  }
}
