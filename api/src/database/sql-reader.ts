import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { retryTransientRead } from './transient-retry.js';

/** What both node-postgres' Pool and the PGlite pool accept. */
interface QueryablePool {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Hot read queries as named prepared statements, straight on the driver's pool. PostgreSQL
 * then parses and plans each distinct statement once per connection, and the request skips
 * TypeORM's query-runner bookkeeping. Only for plain reads outside transactions, which is
 * also why a read that lost its connection is tried again here.
 */
@Injectable()
export class SqlReader {
  private readonly names = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  async rows<Row>(label: string, text: string, values: unknown[]): Promise<Row[]> {
    const pool = (this.dataSource.driver as unknown as { master: QueryablePool }).master;
    const name = this.statementName(label, text);
    // A plain read: when its connection was refused or died under it, it can simply run again.
    const result = await retryTransientRead(() => pool.query({ name, text, values }));
    return result.rows as Row[];
  }

  /** The same text always gets the same name; different texts never share one. */
  private statementName(label: string, text: string): string {
    let name = this.names.get(text);
    if (!name) {
      name = `${label}_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
      this.names.set(text, name);
    }
    return name;
  }
}
