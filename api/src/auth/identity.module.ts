import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { UsersController } from '../users/users.controller.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { Authenticator } from './authenticator.service.js';
import { LoginRateLimiter } from './login-rate-limiter.js';
import { PasswordHasher } from './password.hasher.js';
import { SessionCache } from './session-cache.js';
import { SessionsRepository } from './sessions.repository.js';
import { TokensService } from './tokens.service.js';

/**
 * Users and authentication live in one module: disabling a user or changing a password
 * revokes sessions, and signing in reads users, so splitting them would only add a cycle.
 */
@Module({
  controllers: [AuthController, ApiKeysController, UsersController],
  providers: [
    UsersRepository,
    UsersService,
    PasswordHasher,
    TokensService,
    SessionCache,
    SessionsRepository,
    ApiKeysRepository,
    ApiKeysService,
    LoginRateLimiter,
    Authenticator,
    AuthService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [UsersService],
})
export class IdentityModule {}
