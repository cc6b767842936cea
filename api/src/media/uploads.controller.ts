import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { ApiError } from '../common/api-error.js';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiAuth, ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import {
  CompleteUploadResultSchema,
  CreateUploadResultSchema,
  CreateUploadSchema,
  MAX_UPLOAD_PARTS,
  UploadPartSchema,
  UploadSchema,
  type CreateUpload,
} from './media.dto.js';
import { UploadsService } from './uploads.service.js';

const PartNumberSchema = z.coerce.number().int().min(1).max(MAX_UPLOAD_PARTS);

@ApiTags('uploads')
@ApiAuth()
@RequireRole('editor')
@Controller('uploads')
export class UploadsController {
  constructor(private readonly uploads: UploadsService) {}

  @Post()
  @ApiOperation({
    summary: 'Open a resumable upload',
    description:
      'Returns where to send parts. When sha256 matches an existing asset, that asset is returned (duplicate: true, status 200) and no upload is opened.',
  })
  @ApiOk(CreateUploadResultSchema, 201, 'Upload opened')
  @ApiOk(CreateUploadResultSchema, 200, 'Duplicate content: existing asset returned')
  @ApiProblems(400, 401, 403, 404, 413)
  async createUpload(
    @CurrentPrincipal() principal: Principal,
    @Body({ schema: CreateUploadSchema }) body: CreateUpload,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.uploads.create(principal, body);
    void reply.status(result.duplicate ? 200 : 201);
    return result;
  }

  @Get(':id')
  @ApiOperation({ summary: 'Upload state and the parts already stored (to resume)' })
  @ApiOk(UploadSchema)
  @ApiProblems(400, 401, 403, 404)
  getUpload(@Param('id', { schema: z.uuid() }) id: string) {
    return this.uploads.get(id);
  }

  @Put(':id/parts/:partNumber')
  @ApiOperation({
    summary: 'Send one part (local storage)',
    description:
      'Raw bytes, application/octet-stream. Idempotent: re-sending a part replaces it. Verified against x-part-sha256 when given.',
  })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiHeader({ name: 'x-part-sha256', required: false, description: 'Hex SHA-256 of the part' })
  @ApiOk(UploadPartSchema)
  @ApiProblems(400, 401, 403, 404, 409, 415)
  putUploadPart(
    @Param('id', { schema: z.uuid() }) id: string,
    @Param('partNumber', { schema: PartNumberSchema }) partNumber: number,
    @Headers('x-part-sha256') sha256: string | undefined,
    @Req() request: FastifyRequest,
  ) {
    if (!(request.body instanceof Readable)) {
      throw new ApiError('unsupported_media_type', 'Send the part as application/octet-stream');
    }
    return this.uploads.putPart(id, partNumber, request.body, sha256);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assemble the parts and queue transcoding', description: 'Idempotent.' })
  @ApiOk(CompleteUploadResultSchema)
  @ApiProblems(400, 401, 403, 404, 409)
  async completeUpload(
    @Param('id', { schema: z.uuid() }) id: string,
    @Headers('traceparent') traceparent: string | undefined,
  ) {
    return { asset: await this.uploads.complete(id, traceparent) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Abort an upload and delete its parts' })
  @ApiResponse({ status: 204, description: 'Aborted' })
  @ApiProblems(400, 401, 403, 404, 409)
  abortUpload(@Param('id', { schema: z.uuid() }) id: string) {
    return this.uploads.abort(id);
  }
}
