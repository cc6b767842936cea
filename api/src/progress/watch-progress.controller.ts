import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiAuth, ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import {
  ListProgressQuerySchema,
  SaveProgressSchema,
  WatchProgressListSchema,
  WatchProgressSchema,
  type ListProgressQuery,
  type SaveProgress,
} from './watch-progress.dto.js';
import { WatchProgressService } from './watch-progress.service.js';

const MediaIdSchema = z.string().max(100);

@ApiTags('progress')
@ApiAuth()
@Controller('me/progress')
export class WatchProgressController {
  constructor(private readonly progress: WatchProgressService) {}

  @Get()
  @ApiOperation({ summary: 'Continue watching: your unfinished movies and episodes, newest first' })
  @ApiOk(WatchProgressListSchema)
  @ApiProblems(400, 401, 403)
  listProgress(
    @CurrentPrincipal() principal: Principal,
    @Query({ schema: ListProgressQuerySchema }) query: ListProgressQuery,
  ) {
    return this.progress.list(principal, query);
  }

  @Get(':mediaId')
  @ApiOperation({
    summary: 'Your saved position in a movie (title id) or an episode (episode id)',
    description: '204 when nothing is saved yet; 404 when there is no such movie or episode for you.',
  })
  @ApiOk(WatchProgressSchema)
  @ApiResponse({ status: 204, description: 'Nothing saved yet' })
  @ApiProblems(401, 403, 404)
  async getProgress(
    @CurrentPrincipal() principal: Principal,
    @Param('mediaId', { schema: MediaIdSchema }) mediaId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const saved = await this.progress.get(principal, mediaId);
    if (!saved) void reply.status(204);
    return saved ?? undefined;
  }

  @Put(':mediaId')
  @ApiOperation({ summary: 'Save your position (idempotent)' })
  @ApiOk(WatchProgressSchema)
  @ApiProblems(400, 401, 403, 404)
  saveProgress(
    @CurrentPrincipal() principal: Principal,
    @Param('mediaId', { schema: MediaIdSchema }) mediaId: string,
    @Body({ schema: SaveProgressSchema }) body: SaveProgress,
  ) {
    return this.progress.save(principal, mediaId, body);
  }

  @Delete(':mediaId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget your position' })
  @ApiResponse({ status: 204, description: 'Forgotten' })
  @ApiProblems(401, 403)
  deleteProgress(
    @CurrentPrincipal() principal: Principal,
    @Param('mediaId', { schema: MediaIdSchema }) mediaId: string,
  ) {
    return this.progress.remove(principal, mediaId);
  }
}
