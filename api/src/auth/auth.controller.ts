import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiAuth, ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import { UsersService } from '../users/users.service.js';
import {
  LoginSchema,
  MeSchema,
  RefreshSchema,
  TokenPairSchema,
  type Login,
  type Refresh,
  type TokenPair,
} from './auth.dto.js';
import { CurrentPrincipal, Public } from './auth.decorators.js';
import { AuthService } from './auth.service.js';
import type { Principal } from './principal.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password', description: 'Rate limited per IP and per account.' })
  @ApiOk(TokenPairSchema)
  @ApiProblems(400, 401, 403, 413, 429)
  login(@Body({ schema: LoginSchema }) body: Login, @Req() request: FastifyRequest): Promise<TokenPair> {
    return this.auth.login(body.email, body.password, request.ip);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new token pair',
    description: 'Refresh tokens are single-use; reusing one revokes the whole session (refresh_token_reused).',
  })
  @ApiOk(TokenPairSchema)
  @ApiProblems(400, 401, 403)
  refresh(@Body({ schema: RefreshSchema }) body: Refresh): Promise<TokenPair> {
    return this.auth.refresh(body.refreshToken);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End the session of a refresh token',
    description: 'Its access tokens stop working at once.',
  })
  @ApiResponse({ status: 204, description: 'Session ended' })
  @ApiProblems(400)
  logout(@Body({ schema: RefreshSchema }) body: Refresh): Promise<void> {
    return this.auth.logout(body.refreshToken);
  }

  @Get('me')
  @ApiAuth()
  @ApiOperation({ summary: 'The signed-in user and the effective role of the credential' })
  @ApiOk(MeSchema)
  @ApiProblems(401, 403)
  async me(@CurrentPrincipal() principal: Principal) {
    const user = await this.users.get(principal.userId);
    return {
      user,
      role: principal.role,
      via: principal.via,
      ...(principal.apiKeyId ? { apiKeyId: principal.apiKeyId } : {}),
    };
  }
}
