import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SqlReader } from './sql-reader.js';

/** Provides the one DataSource (already initialised and migrated) to every feature. */
@Global()
@Module({})
export class DatabaseModule {
  static forDataSource(dataSource: DataSource): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [{ provide: DataSource, useValue: dataSource }, SqlReader],
      exports: [DataSource, SqlReader],
    };
  }
}
