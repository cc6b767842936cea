import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiAuth, ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import { name } from '../common/zod-text.js';
import {
  CreateTitleSchema,
  ListTitlesQuerySchema,
  TitleDetailSchema,
  TitleListSchema,
  TitleRefSchema,
  TitleSchema,
  UpdateTitleSchema,
  UpsertTitleSchema,
  type CreateTitle,
  type ListTitlesQuery,
  type UpdateTitle,
  type UpsertTitle,
} from './titles.dto.js';
import { TitlesService } from './titles.service.js';

const IF_MATCH = { name: 'If-Match', description: 'ETag from the last read of this title' };

@ApiTags('titles')
@ApiAuth()
@Controller('titles')
export class TitlesController {
  constructor(private readonly titles: TitlesService) {}

  @Get()
  @ApiOperation({
    summary: 'List and search titles',
    description: 'Viewers see published titles only. Cursor pagination; combine filters freely.',
  })
  @ApiOk(TitleListSchema)
  @ApiProblems(400, 401, 403)
  listTitles(
    @CurrentPrincipal() principal: Principal,
    @Query({ schema: ListTitlesQuerySchema }) query: ListTitlesQuery,
  ) {
    return this.titles.list(principal, query);
  }

  @Post()
  @RequireRole('editor')
  @ApiOperation({ summary: 'Create a title', description: 'The slug is generated from the name unless given.' })
  @ApiOk(TitleSchema, 201)
  @ApiProblems(400, 401, 403, 409, 413)
  async createTitle(
    @Body({ schema: CreateTitleSchema }) body: CreateTitle,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { title, etag } = await this.titles.create(body);
    void reply.header('etag', etag);
    return title;
  }

  @Put('by-external-id/:externalId')
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Create or update a title by externalId (idempotent import)',
    description: '201 when created, 200 when updated. If-Match is optional here.',
  })
  @ApiHeader({ ...IF_MATCH, required: false })
  @ApiOk(TitleSchema, 200, 'Updated')
  @ApiOk(TitleSchema, 201, 'Created')
  @ApiProblems(400, 401, 403, 409, 412, 413)
  async upsertTitleByExternalId(
    @Param('externalId', { schema: name(200) }) externalId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body({ schema: UpsertTitleSchema }) body: UpsertTitle,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { title, etag, created } = await this.titles.upsertByExternalId(externalId, ifMatch, body);
    void reply.status(created ? 201 : 200).header('etag', etag);
    return title;
  }

  @Get(':title')
  @ApiOperation({ summary: 'Get a title by id or slug, with seasons and episodes' })
  @ApiOk(TitleDetailSchema)
  @ApiProblems(400, 401, 403, 404)
  async getTitle(
    @CurrentPrincipal() principal: Principal,
    @Param('title', { schema: TitleRefSchema }) ref: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { title, etag } = await this.titles.get(principal, ref);
    void reply.header('etag', etag);
    return title;
  }

  @Patch(':title')
  @RequireRole('editor')
  @ApiOperation({ summary: 'Change a title', description: 'Requires If-Match; 412 when someone changed it first.' })
  @ApiHeader({ ...IF_MATCH, required: true })
  @ApiOk(TitleSchema)
  @ApiProblems(400, 401, 403, 404, 409, 412, 413, 428)
  async updateTitle(
    @Param('title', { schema: TitleRefSchema }) ref: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body({ schema: UpdateTitleSchema }) body: UpdateTitle,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { title, etag } = await this.titles.update(ref, ifMatch, body);
    void reply.header('etag', etag);
    return title;
  }

  @Delete(':title')
  @RequireRole('editor')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a title with its seasons and episodes' })
  @ApiHeader({ ...IF_MATCH, required: false })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 401, 403, 404, 412)
  deleteTitle(
    @Param('title', { schema: TitleRefSchema }) ref: string,
    @Headers('if-match') ifMatch: string | undefined,
  ) {
    return this.titles.remove(ref, ifMatch);
  }
}
