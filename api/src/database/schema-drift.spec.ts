import { describe, expect, it } from 'vitest';
import { createDataSource } from './data-source.factory.js';
import { MIGRATIONS } from './migrations/index.js';
import { databaseTargets } from '../../test/database-targets.js';

describe.each(databaseTargets())('migrations on $name', (target) => {
  it('bring an empty database to exactly the schema the entities describe', async () => {
    const config = await target.create();
    const dataSource = await createDataSource(config.database);
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      // What `typeorm migration:generate` would write: it must be nothing.
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      // And every migration can be undone (newest first) and redone.
      const tables = async () =>
        (await dataSource.query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`)).map(
          (r: { tablename: string }) => r.tablename,
        );
      const before = await tables();
      for (let i = 0; i < MIGRATIONS.length; i += 1) await dataSource.undoLastMigration();
      expect(await tables()).toEqual(['migrations']);
      await dataSource.runMigrations();
      expect(await tables()).toEqual(before);
    } finally {
      await dataSource.destroy();
      await config.dispose();
    }
  });
});
