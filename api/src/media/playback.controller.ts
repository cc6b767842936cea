import { Controller, Get, Headers, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CurrentPrincipal, Public } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiAuth, ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import { PlaybackSchema } from './media.dto.js';
import { PlaybackService } from './playback.service.js';

@ApiTags('playback')
@Controller('media')
export class PlaybackController {
  constructor(private readonly playback: PlaybackService) {}

  @Get('stream/:id')
  @ApiAuth()
  @ApiOperation({
    summary: 'Signed, expiring HLS URL for an asset, a movie or an episode',
    description: 'Viewers can play only what belongs to a published title.',
  })
  @ApiOk(PlaybackSchema, 200, 'Ready: signed URLs')
  @ApiOk(PlaybackSchema, 202, 'Not ready yet: status and progress, no URLs')
  @ApiProblems(400, 401, 403, 404)
  async streamMedia(
    @CurrentPrincipal() principal: Principal,
    @Param('id', { schema: z.string().max(100) }) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const playback = await this.playback.stream(principal, id, `${request.protocol}://${request.host}`);
    if (playback.status !== 'ready') void reply.status(202);
    return playback;
  }

  /** Files under a signed path; the signature in the path is the credential. */
  @Public()
  @Get('hls/:assetId/:token/*')
  @ApiExcludeEndpoint()
  async serveHls(
    @Param('assetId', { schema: z.uuid() }) assetId: string,
    @Param('token', { schema: z.string().max(100) }) token: string,
    @Req() request: FastifyRequest,
    @Headers('range') range: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const path = (request.params as Record<string, string>)['*'] ?? '';
    const file = await this.playback.serve(assetId, token, path, range);
    // Segments, init files and images never change (every run writes a new folder), so they
    // can be cached for good; playlists and rewritten tracks (their presigned URLs expire) briefly.
    const immutable = file.kind === 'stream' && !file.contentType.includes('mpegurl');
    void reply
      .header('cache-control', immutable ? 'private, max-age=31536000, immutable' : 'private, max-age=60')
      .header('access-control-allow-origin', '*');
    if (file.kind === 'redirect') return reply.redirect(file.url, 302);
    void reply.header('content-type', file.contentType);
    if (file.kind === 'text') return reply.send(file.body);
    void reply.header('accept-ranges', 'bytes');
    if (file.range) {
      void reply
        .status(206)
        .header('content-range', `bytes ${file.range.start}-${file.range.end}/${file.size}`)
        .header('content-length', String(file.range.end - file.range.start + 1));
    } else {
      void reply.header('content-length', String(file.size));
    }
    return reply.send(file.body);
  }
}
