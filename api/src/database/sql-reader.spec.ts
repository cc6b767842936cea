import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { databaseTargets } from '../../test/database-targets.js';
import { createDataSource } from './data-source.factory.js';
import { SqlReader } from './sql-reader.js';

describe.each(databaseTargets())('SqlReader on $name', (target) => {
  let dataSource: DataSource;
  let dispose: () => Promise<void>;
  let reader: SqlReader;

  beforeAll(async () => {
    const created = await target.create();
    dispose = created.dispose;
    dataSource = await createDataSource(created.database);
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)`);
    await dataSource.query(`INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three')`);
    reader = new SqlReader(dataSource);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await dispose();
  });

  it('runs a statement again with other values (prepared once per connection)', async () => {
    const text = `SELECT name FROM items WHERE id >= $1 ORDER BY id`;
    expect(await reader.rows('items', text, [2])).toEqual([{ name: 'two' }, { name: 'three' }]);
    expect(await reader.rows('items', text, [3])).toEqual([{ name: 'three' }]);
  });

  it('keeps statements with the same label but different texts apart', async () => {
    // Reusing one name for two texts is an error in PostgreSQL; many concurrent calls make
    // sure every pooled connection has seen both.
    const byId = `SELECT name FROM items WHERE id = $1`;
    const byName = `SELECT id FROM items WHERE name = $1`;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        n % 2 === 0 ? reader.rows('items', byId, [1]) : reader.rows('items', byName, ['two']),
      ),
    );
    expect(results[0]).toEqual([{ name: 'one' }]);
    expect(results[1]).toEqual([{ id: 2 }]);
    expect(new Set(results.map((rows) => JSON.stringify(rows))).size).toBe(2);
  });

  it('reports SQL errors as errors', async () => {
    await expect(reader.rows('items', `SELECT nope FROM items WHERE id = $1`, [1])).rejects.toThrow(/nope/);
  });
});
