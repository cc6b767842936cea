import { EventEmitter } from 'node:events';
import type { PGlite, Results } from '@electric-sql/pglite';

interface PgResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: Results['fields'];
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

  async query(sql: string, params?: unknown[] | ((...args: unknown[]) => void)): Promise<PgResult> {
    const values = Array.isArray(params) ? params : [];
    const result =
      values.length > 0 ? await this.db.query(sql, values) : ((await this.db.exec(sql)).at(-1) ?? emptyResult());
    return {
      rows: result.rows,
      rowCount: result.affectedRows ?? result.rows.length,
      command: sql.trimStart().split(/\s/, 1)[0]?.toUpperCase() ?? '',
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
  private readonly waiters: Array<() => void> = [];

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
          this.release();
        });
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null, () => {}),
    );
  }

  async query(sql: string, params?: unknown[]): Promise<PgResult> {
    await this.acquire();
    try {
      return await this.client.query(sql, params);
    } finally {
      this.release();
    }
  }

  end(callback?: (error?: Error | null) => void): void {
    this.db.close().then(
      () => callback?.(null),
      (error: unknown) => callback?.(error instanceof Error ? error : new Error(String(error))),
    );
  }

  private acquire(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error(`PGlite connection not released within ${ACQUIRE_TIMEOUT_MS} ms`));
      }, ACQUIRE_TIMEOUT_MS);
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(grant);
    });
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.busy = false;
  }
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
