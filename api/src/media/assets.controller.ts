import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireRole } from '../auth/auth.decorators.js';
import { ApiAuth, ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import { AssetsService } from './assets.service.js';
import {
  AssetListSchema,
  AssetSchema,
  AttachmentSchema,
  ListAssetsQuerySchema,
  type Attachment,
  type ListAssetsQuery,
} from './media.dto.js';

@ApiTags('assets')
@ApiAuth()
@RequireRole('editor')
@Controller('assets')
export class AssetsController {
  constructor(private readonly assets: AssetsService) {}

  @Get()
  @ApiOperation({ summary: 'List assets' })
  @ApiOk(AssetListSchema)
  @ApiProblems(400, 401, 403)
  listAssets(@Query({ schema: ListAssetsQuerySchema }) query: ListAssetsQuery) {
    return this.assets.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an asset with its media details and latest job' })
  @ApiOk(AssetSchema)
  @ApiProblems(400, 401, 403, 404)
  getAsset(@Param('id', { schema: z.uuid() }) id: string) {
    return this.assets.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an asset, its source and outputs; cancels its job' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 401, 403, 404)
  deleteAsset(@Param('id', { schema: z.uuid() }) id: string) {
    return this.assets.remove(id);
  }

  @Post(':id/retranscode')
  @HttpCode(202)
  @ApiOperation({ summary: 'Transcode again (new attempt); current outputs stay until it succeeds' })
  @ApiOk(AssetSchema, 202, 'Queued')
  @ApiProblems(400, 401, 403, 404, 409)
  retranscodeAsset(
    @Param('id', { schema: z.uuid() }) id: string,
    @Headers('traceparent') traceparent: string | undefined,
  ) {
    return this.assets.retranscode(id, traceparent);
  }

  @Put(':id/attachment')
  @ApiOperation({ summary: 'Attach the asset to a movie, or to an episode of a series' })
  @ApiOk(AssetSchema)
  @ApiProblems(400, 401, 403, 404)
  attachAsset(@Param('id', { schema: z.uuid() }) id: string, @Body({ schema: AttachmentSchema }) body: Attachment) {
    return this.assets.attach(id, body);
  }

  @Delete(':id/attachment')
  @ApiOperation({ summary: 'Detach the asset from its title or episode' })
  @ApiOk(AssetSchema)
  @ApiProblems(400, 401, 403, 404)
  detachAsset(@Param('id', { schema: z.uuid() }) id: string) {
    return this.assets.detach(id);
  }
}
