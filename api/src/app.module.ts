import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { IdentityModule } from './auth/identity.module.js';
import { CatalogModule } from './catalog/catalog.module.js';
import { Clock } from './common/clock.js';
import { ProblemFilter } from './common/problem.filter.js';
import { AuditModule } from './audit/audit.module.js';
import { CacheModule } from './cache/cache.module.js';
import { createValidationPipe } from './common/validation.pipe.js';
import { AppConfig } from './config/app-config.js';
import { DatabaseModule } from './database/database.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { MediaModule } from './media/media.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { WatchProgressModule } from './progress/watch-progress.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { RedisModule } from './redis/redis.module.js';

@Global()
@Module({})
class CoreModule {
  static register(config: AppConfig, clock: Clock): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: Clock, useValue: clock },
      ],
      exports: [AppConfig, Clock],
    };
  }
}

export interface AppModuleOptions {
  config: AppConfig;
  dataSource: DataSource;
  /** Tests pass a controllable clock. */
  clock?: Clock;
}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(options.config, options.clock ?? new Clock()),
        DatabaseModule.forDataSource(options.dataSource),
        ObservabilityModule,
        // Before the features that use them: Redis (when configured), the cache, rate limits.
        RedisModule,
        CacheModule,
        RateLimitModule,
        AuditModule,
        IdentityModule,
        CatalogModule,
        HealthModule,
        MediaModule,
        EventsModule,
        WatchProgressModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
