import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiAuth, ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import {
  ChangePasswordSchema,
  CreateUserSchema,
  ListUsersQuerySchema,
  UpdateUserSchema,
  UserListSchema,
  UserSchema,
  type ChangePassword,
  type CreateUser,
  type ListUsersQuery,
  type UpdateUser,
} from './users.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @RequireRole('admin')
  @ApiOperation({ summary: 'List users (admin)' })
  @ApiOk(UserListSchema)
  @ApiProblems(400, 401, 403)
  listUsers(@Query({ schema: ListUsersQuerySchema }) query: ListUsersQuery) {
    return this.users.list(query);
  }

  @Post()
  @RequireRole('admin')
  @ApiOperation({ summary: 'Create a user (admin)' })
  @ApiOk(UserSchema, 201)
  @ApiProblems(400, 401, 403, 409)
  createUser(@Body({ schema: CreateUserSchema }) body: CreateUser) {
    return this.users.create(body);
  }

  @Post('me/password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change your own password', description: 'Signs out your other sessions.' })
  @ApiResponse({ status: 204, description: 'Password changed' })
  @ApiProblems(400, 401, 403)
  changeOwnPassword(
    @CurrentPrincipal() principal: Principal,
    @Body({ schema: ChangePasswordSchema }) body: ChangePassword,
  ) {
    return this.users.changePassword(principal, body);
  }

  @Get(':id')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Get a user (admin)' })
  @ApiOk(UserSchema)
  @ApiProblems(400, 401, 403, 404)
  getUser(@Param('id', { schema: z.uuid() }) id: string) {
    return this.users.get(id);
  }

  @Patch(':id')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Change a user (admin): role, display name, disabled' })
  @ApiOk(UserSchema)
  @ApiProblems(400, 401, 403, 404, 409)
  updateUser(
    @CurrentPrincipal() principal: Principal,
    @Param('id', { schema: z.uuid() }) id: string,
    @Body({ schema: UpdateUserSchema }) body: UpdateUser,
  ) {
    return this.users.update(principal, id, body);
  }
}
