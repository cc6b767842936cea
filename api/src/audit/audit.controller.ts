import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.decorators.js';
import { ApiAuth, ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import { AuditListSchema, ListAuditQuerySchema, type ListAuditQuery } from './audit.dto.js';
import { AuditService } from './audit.service.js';

@ApiTags('audit')
@ApiAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequireRole('admin')
  @ApiOperation({
    summary: 'The audit log (admin)',
    description:
      'Changes made by editors and admins, newest first: who, what, when, and the resource before and after. Filter by actor, target or action.',
  })
  @ApiOk(AuditListSchema)
  @ApiProblems(400, 401, 403)
  listAudit(@Query({ schema: ListAuditQuerySchema }) query: ListAuditQuery) {
    return this.audit.list(query);
  }
}
