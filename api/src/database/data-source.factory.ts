import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import type { DatabaseConfig } from '../config/app-config.js';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';
import { pgliteDriverModule } from './pglite-pool.js';
import { DEFAULT_QUERY_TIMEOUT_MS, postgresPoolOptions } from './pool-options.js';
import { retryingPgDriver } from './retrying-pg-pool.js';

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
      // pg with a pool that tries a refused or dropped connect again (retrying-pg-pool.ts).
      driver: retryingPgDriver(),
      extra: postgresPoolOptions(config),
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
  if (config.kind === 'postgres' && (config.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS) > 0) {
    // A migration may rightly run longer than any request's statement (an index on a big
    // table), so it runs on a connection of its own without the statement timeout.
    const migrator = await createDataSource({ ...config, poolSize: 1, queryTimeoutMs: 0 });
    await migrator.initialize();
    try {
      await migrator.runMigrations();
    } finally {
      await migrator.destroy();
    }
    const dataSource = await createDataSource(config);
    await dataSource.initialize();
    return dataSource;
  }
  const dataSource = await createDataSource(config);
  await dataSource.initialize();
  await dataSource.runMigrations();
  return dataSource;
}
