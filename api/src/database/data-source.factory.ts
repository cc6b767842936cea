import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import type { DatabaseConfig } from '../config/app-config.js';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';
import { pgliteDriverModule } from './pglite-pool.js';

/**
 * Builds the one TypeORM DataSource shape for both engines: PostgreSQL through `pg`, or
 * PGlite (real Postgres compiled to WASM) through a pg-compatible pool. Same entities,
 * same migrations; `synchronize` is never on.
 */
export async function createDataSource(config: DatabaseConfig): Promise<DataSource> {
  const common: Pick<
    PostgresDataSourceOptions,
    | 'type'
    | 'uuidExtension'
    | 'installExtensions'
    | 'entities'
    | 'migrations'
    | 'migrationsTableName'
    | 'migrationsTransactionMode'
    | 'synchronize'
    | 'logging'
  > = {
    type: 'postgres',
    // gen_random_uuid() is built into PostgreSQL 13+; extensions are created by migrations.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
  };
  let options: DataSourceOptions;
  if (config.kind === 'postgres') {
    options = {
      ...common,
      url: config.url,
      extra: { max: config.poolSize, connectionTimeoutMillis: 5_000 },
    };
  } else {
    if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
    const db = await PGlite.create({
      ...(config.dataDir ? { dataDir: config.dataDir } : {}),
      extensions: { unaccent },
    });
    options = { ...common, driver: pgliteDriverModule(db) };
  }
  return new DataSource(options);
}

/** Connects and brings the schema up to date. */
export async function initializeDatabase(config: DatabaseConfig): Promise<DataSource> {
  const dataSource = await createDataSource(config);
  await dataSource.initialize();
  await dataSource.runMigrations();
  return dataSource;
}
