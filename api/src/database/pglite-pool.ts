import { EventEmitter } from 'node:events';
import type { PGlite, Results } from '@electric-sql/pglite';

interface PgResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: Results['fields'];
}

interface QueryConfig {
  name?: string;
  text: string;
  values?: unknown[];
}

type ConnectCallback = (error: Error | null, client: PGliteClient | null, release: (error?: unknown) => void) => void;

const ACQUIRE_TIMEOUT_MS = 30_000;

/**
 * The face of one checked-out "connection": node-postgres' client API over PGlite.
 * PGlite is a single session, so a checked-out client holds it exclusively until released;
 * that keeps a transaction's statements from interleaving with other requests' queries.
 */
class PGliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  /**
   * Like node-postgres: parameterised SQL goes through the extended protocol (one
   * statement); SQL without parameters through the simple protocol, so that it may hold
   * several statements (migrations do). Then the result is the last statement's.
   */
  async query(query: string | QueryConfig, params?: unknown[] | ((...args: unknown[]) => void)): Promise<PgResult> {
    // A config object's `name` asks node-postgres for a prepared statement; PGlite prepares
    // per call anyway, so the name is ignored.
    const sql = typeof query === 'string' ? query : query.text;
    const values = typeof query === 'string' ? (Array.isArray(params) ? params : []) : (query.values ?? []);
    const result =
      values.length > 0 ? await this.db.query(sql, values) : ((await this.db.exec(sql)).at(-1) ?? emptyResult());
    return {
      rows: result.rows,
      // PGlite's `rowCount` is per statement, as in node-postgres (rows of a SELECT, rows
      // changed by an UPDATE); `affectedRows` adds up every statement of a multi-statement
      // query and is 0 for a SELECT.
      rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length,
      // TypeORM reads `command` to report affected rows of UPDATE/DELETE; PGlite takes it from
      // the command tag, which is right for `WITH ... DELETE` or SQL that starts with a comment.
      command: result.command ?? sql.trimStart().split(/\s/, 1)[0]?.toUpperCase() ?? '',
      fields: result.fields,
    };
  }
}

function emptyResult(): Results {
  return { rows: [], fields: [], affectedRows: 0 };
}

/**
 * A node-postgres compatible Pool over one PGlite instance, handed to TypeORM's postgres
 * driver through its `driver` option. Checkouts are serialised with a FIFO queue.
 */
export class PGlitePool extends EventEmitter {
  private readonly client: PGliteClient;
  private busy = false;
  private ended = false;
  private readonly waiters: Array<{ grant: () => void; fail: (error: Error) => void }> = [];

  constructor(private readonly db: PGlite) {
    super();
    this.client = new PGliteClient(db);
  }

  connect(callback: ConnectCallback): void {
    this.acquire().then(
      () => {
        let released = false;
        callback(null, this.client, () => {
          if (released) return;
          released = true;
          void this.release();
        });
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null, () => {}),
    );
  }

  async query(query: string | QueryConfig, params?: unknown[]): Promise<PgResult> {
    await this.acquire();
    try {
      return await this.client.query(query, params);
    } finally {
      void this.release();
    }
  }

  end(callback?: (error?: Error | null) => void): void {
    this.ended = true;
    // Whoever still waits for the session would otherwise wait for ACQUIRE_TIMEOUT_MS.
    for (const waiter of this.waiters.splice(0)) waiter.fail(poolEndedError());
    this.db.close().then(
      () => callback?.(null),
      (error: unknown) => callback?.(error instanceof Error ? error : new Error(String(error))),
    );
  }

  private acquire(): Promise<void> {
    if (this.ended) return Promise.reject(poolEndedError());
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error(`PGlite connection not released within ${ACQUIRE_TIMEOUT_MS} ms`));
      }, ACQUIRE_TIMEOUT_MS);
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * Hands the session to the next waiter. A transaction left open by the previous holder
   * (released without COMMIT/ROLLBACK, e.g. after a failed ROLLBACK) is rolled back first:
   * with node-postgres that would spoil one connection of many, but PGlite has only this one
   * session, and the next holder's statements must not run inside someone else's transaction.
   */
  private async release(): Promise<void> {
    if (!this.ended && !this.db.closed && this.db.isInTransaction()) {
      try {
        await this.db.exec('ROLLBACK');
      } catch (error) {
        // TypeORM listens for pool errors and logs them; without a listener, stay quiet.
        if (this.listenerCount('error') > 0)
          this.emit('error', error instanceof Error ? error : new Error(String(error)));
      }
    }
    const next = this.waiters.shift();
    if (next) next.grant();
    else this.busy = false;
  }
}

function poolEndedError(): Error {
  return new Error('PGlite pool has ended');
}

/** The object TypeORM expects in `driver`: a module exposing a `Pool` constructor. */
export function pgliteDriverModule(db: PGlite): { Pool: new () => PGlitePool } {
  return {
    Pool: class extends PGlitePool {
      constructor() {
        super(db);
      }
    },
  };
}
