import { Body, Controller, Delete, HttpCode, Param, Put, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../auth/auth.decorators.js';
import { ApiAuth, ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import { SeasonsService } from './seasons.service.js';
import {
  SeasonNumberSchema,
  TitleDetailSchema,
  TitleRefSchema,
  UpsertEpisodeSchema,
  UpsertSeasonSchema,
  type UpsertEpisode,
  type UpsertSeason,
} from './titles.dto.js';

@ApiTags('seasons')
@ApiAuth()
@RequireRole('editor')
@Controller('titles/:title/seasons')
export class SeasonsController {
  constructor(private readonly seasons: SeasonsService) {}

  @Put(':season')
  @ApiOperation({ summary: 'Create or update a season of a series', description: 'Returns the whole title.' })
  @ApiOk(TitleDetailSchema, 200, 'Updated')
  @ApiOk(TitleDetailSchema, 201, 'Created')
  @ApiProblems(400, 401, 403, 404, 409)
  async upsertSeason(
    @Param('title', { schema: TitleRefSchema }) ref: string,
    @Param('season', { schema: SeasonNumberSchema }) season: number,
    @Body({ schema: UpsertSeasonSchema }) body: UpsertSeason,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { title, etag, created } = await this.seasons.upsertSeason(ref, season, body);
    void reply.status(created ? 201 : 200).header('etag', etag);
    return title;
  }

  @Delete(':season')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a season and its episodes' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 401, 403, 404, 409)
  deleteSeason(
    @Param('title', { schema: TitleRefSchema }) ref: string,
    @Param('season', { schema: SeasonNumberSchema }) season: number,
  ) {
    return this.seasons.deleteSeason(ref, season);
  }

  @Put(':season/episodes/:episode')
  @ApiOperation({
    summary: 'Create or update an episode',
    description: 'Creates the season too when missing. Returns the whole title.',
  })
  @ApiOk(TitleDetailSchema, 200, 'Updated')
  @ApiOk(TitleDetailSchema, 201, 'Created')
  @ApiProblems(400, 401, 403, 404, 409)
  async upsertEpisode(
    @Param('title', { schema: TitleRefSchema }) ref: string,
    @Param('season', { schema: SeasonNumberSchema }) season: number,
    @Param('episode', { schema: SeasonNumberSchema }) episode: number,
    @Body({ schema: UpsertEpisodeSchema }) body: UpsertEpisode,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { title, etag, created } = await this.seasons.upsertEpisode(ref, season, episode, body);
    void reply.status(created ? 201 : 200).header('etag', etag);
    return title;
  }

  @Delete(':season/episodes/:episode')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an episode' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 401, 403, 404, 409)
  deleteEpisode(
    @Param('title', { schema: TitleRefSchema }) ref: string,
    @Param('season', { schema: SeasonNumberSchema }) season: number,
    @Param('episode', { schema: SeasonNumberSchema }) episode: number,
  ) {
    return this.seasons.deleteEpisode(ref, season, episode);
  }
}
