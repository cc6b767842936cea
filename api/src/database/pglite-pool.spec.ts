import { PGlite } from '@electric-sql/pglite';
import { DataSource, QueryFailedError } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PGlitePool, pgliteDriverModule } from './pglite-pool.js';

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets a pool that does not serialise checkouts run the queries it was given. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Tracks whether a promise has settled, without consuming its result. */
function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { promise, settled: () => settled };
}

describe('PGlitePool under TypeORM', () => {
  let db: PGlite;
  let ds: DataSource;

  const names = async (): Promise<string[]> =>
    (await ds.query(`SELECT name FROM items ORDER BY name`)).map((row: { name: string }) => row.name);

  beforeAll(async () => {
    db = await PGlite.create();
    ds = new DataSource({
      type: 'postgres',
      driver: pgliteDriverModule(db),
      installExtensions: false,
      entities: [],
      logging: false,
    });
    await ds.initialize();
    await ds.query(`CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL UNIQUE)`);
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
  });
  beforeEach(async () => {
    await ds.query(`TRUNCATE items RESTART IDENTITY`);
  });

  it('keeps a concurrent read and write out of an open transaction', async () => {
    const inserted = deferred();
    const gate = deferred();
    const tx = track(
      ds.transaction(async (manager) => {
        await manager.query(`INSERT INTO items (name) VALUES ('inside')`);
        inserted.resolve();
        await gate.promise;
        throw new Error('roll back on purpose');
      }),
    );
    await inserted.promise;

    const read = track(ds.query(`SELECT count(*)::int AS n, txid_current_if_assigned() AS xid FROM items`));
    const write = track(ds.query(`INSERT INTO items (name) VALUES ('outside')`));
    await settle();
    // While the transaction holds the session, the others wait for it.
    expect(read.settled()).toBe(false);
    expect(write.settled()).toBe(false);

    gate.resolve();
    await expect(tx.promise).rejects.toThrow('roll back on purpose');
    const [row] = await read.promise;
    expect(row).toEqual({ n: 0, xid: null });
    await write.promise;
    // Had the INSERT run inside the transaction, the rollback would have taken it too.
    expect(await names()).toEqual(['outside']);
    expect(db.isInTransaction()).toBe(false);
  });

  it('runs two concurrent TypeORM transactions one after the other', async () => {
    const events: string[] = [];
    const firstInserted = deferred();
    const gate = deferred();
    const first = ds.transaction(async (manager) => {
      events.push('first:start');
      await manager.query(`INSERT INTO items (name) VALUES ('first')`);
      firstInserted.resolve();
      await gate.promise;
      events.push('first:end');
      throw new Error('first rolls back');
    });
    await firstInserted.promise;
    const second = ds.transaction(async (manager) => {
      events.push('second:start');
      const seen = await manager.query(`SELECT name FROM items`);
      await manager.query(`INSERT INTO items (name) VALUES ('second')`);
      events.push('second:end');
      return seen;
    });
    await settle();
    gate.resolve();

    await expect(first).rejects.toThrow('first rolls back');
    expect(await second).toEqual([]);
    expect(events).toEqual(['first:start', 'first:end', 'second:start', 'second:end']);
    expect(await names()).toEqual(['second']);
  });

  it('rolls back a transaction whose query fails and releases the session', async () => {
    const failing = ds.transaction(async (manager) => {
      await manager.query(`INSERT INTO items (name) VALUES ('doomed')`);
      await manager.query(`INSERT INTO items (name) VALUES ('doomed')`); // unique violation
    });
    const error = await failing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error as QueryFailedError & { driverError: { code?: string } }).driverError.code).toBe('23505');

    // Not "current transaction is aborted", and not waiting for a session that was kept.
    expect(await names()).toEqual([]);
    await ds.query(`INSERT INTO items (name) VALUES ('after')`);
    expect(await names()).toEqual(['after']);
    expect(db.isInTransaction()).toBe(false);
  });

  it('rolls back a transaction left open by a released query runner', async () => {
    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    await runner.query(`INSERT INTO items (name) VALUES ('leaked')`);
    await runner.release(); // no COMMIT or ROLLBACK

    // The next holder of the one PGlite session must not find itself inside that transaction.
    expect(await ds.query(`SELECT txid_current_if_assigned() AS xid`)).toEqual([{ xid: null }]);
    const other = ds.createQueryRunner();
    await other.startTransaction();
    await other.query(`INSERT INTO items (name) VALUES ('committed')`);
    await other.commitTransaction();
    await other.release();
    expect(await names()).toEqual(['committed']);
  });

  it('reports the rows changed by UPDATE and DELETE, with and without parameters', async () => {
    await ds.query(`INSERT INTO items (name) VALUES ('a'), ('b'), ('c')`);

    const updated = await ds
      .createQueryBuilder()
      .update('items')
      .set({ name: () => `name || '!'` })
      .where('id >= :id', { id: 2 })
      .execute();
    expect(updated.affected).toBe(2);
    const deleted = await ds
      .createQueryBuilder()
      .delete()
      .from('items')
      .where('name = :name', { name: 'nothing' })
      .execute();
    expect(deleted.affected).toBe(0);

    // Raw queries return [rows, count] for UPDATE and DELETE, as on node-postgres.
    expect(await ds.query(`UPDATE items SET name = upper(name) WHERE id = $1`, [1])).toEqual([[], 1]);
    expect(await ds.query(`UPDATE items SET name = lower(name)`)).toEqual([[], 3]);
    expect(await ds.query(`/* audit */ DELETE FROM items WHERE id = $1 RETURNING name`, [3])).toEqual([
      [{ name: 'c!' }],
      1,
    ]);
    expect(
      await ds.query(`WITH gone AS (SELECT 2 AS id) DELETE FROM items USING gone WHERE items.id = gone.id`),
    ).toEqual([[], 1]);

    const runner = ds.createQueryRunner();
    try {
      const selected = await runner.query(`SELECT name FROM items`, [], true);
      expect(selected.records).toEqual([{ name: 'a' }]);
      expect(selected.affected).toBe(1);
    } finally {
      await runner.release();
    }
  });

  it('runs multi-statement SQL without parameters and returns the last statement', async () => {
    const rows = await ds.query(`
      INSERT INTO items (name) VALUES ('x');
      UPDATE items SET name = 'y' WHERE name = 'x';
      SELECT name FROM items;
    `);
    expect(rows).toEqual([{ name: 'y' }]);

    const runner = ds.createQueryRunner();
    try {
      // The count is the last statement's own, not the sum over the statements.
      const result = await runner.query(
        `INSERT INTO items (name) VALUES ('z1'), ('z2'); DELETE FROM items WHERE name = 'y'`,
        [],
        true,
      );
      expect(result.affected).toBe(1);
    } finally {
      await runner.release();
    }
    expect(await names()).toEqual(['z1', 'z2']);
  });

  it('grants checkouts in the order they were asked for', async () => {
    const pool = (ds.driver as unknown as { master: PGlitePool }).master;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((n) =>
        pool.query('SELECT $1::int AS n', [n]).then((result) => {
          order.push(n);
          expect(result).toMatchObject({ rows: [{ n }], rowCount: 1, command: 'SELECT' });
        }),
      ),
    );
    expect(order).toEqual([1, 2, 3]);
  });

  // Last: it closes the PGlite instance that the tests above share.
  it('fails waiting and later checkouts at once when the DataSource is destroyed', async () => {
    const pool = (ds.driver as unknown as { master: PGlitePool }).master;
    const holder = deferred<() => void>();
    pool.connect((error, _client, release) => {
      expect(error).toBeNull();
      holder.resolve(release);
    });
    const release = await holder.promise;
    const waiting = pool.query('SELECT 1');
    await ds.destroy();
    // Rejected now, not after the 30 s checkout timeout.
    await expect(waiting).rejects.toThrow('PGlite pool has ended');
    await expect(pool.query('SELECT 1')).rejects.toThrow('PGlite pool has ended');
    const connectError = await new Promise<Error | null>((resolve) => pool.connect((error) => resolve(error)));
    expect(connectError?.message).toBe('PGlite pool has ended');
    await expect(ds.query('SELECT 1')).rejects.toThrow();
    release();
  });
});
