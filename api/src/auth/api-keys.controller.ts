import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiAuth, ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import { ApiKeyListSchema, CreateApiKeySchema, CreatedApiKeySchema, type CreateApiKey } from './auth.dto.js';
import { ApiKeysService } from './api-keys.service.js';
import { CurrentPrincipal } from './auth.decorators.js';
import type { Principal } from './principal.js';

@ApiTags('api-keys')
@ApiAuth()
@Controller('auth/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key', description: 'The secret is returned once and stored hashed.' })
  @ApiOk(CreatedApiKeySchema, 201)
  @ApiProblems(400, 401, 403)
  createApiKey(@CurrentPrincipal() principal: Principal, @Body({ schema: CreateApiKeySchema }) body: CreateApiKey) {
    return this.keys.create(principal, body);
  }

  @Get()
  @ApiOperation({ summary: 'List API keys', description: 'Your own keys; admins see all keys.' })
  @ApiOk(ApiKeyListSchema)
  @ApiProblems(401, 403)
  async listApiKeys(@CurrentPrincipal() principal: Principal) {
    return { items: await this.keys.list(principal) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key' })
  @ApiResponse({ status: 204, description: 'Revoked' })
  @ApiProblems(400, 401, 403, 404)
  revokeApiKey(@CurrentPrincipal() principal: Principal, @Param('id', { schema: z.uuid() }) id: string): Promise<void> {
    return this.keys.revoke(principal, id);
  }
}
