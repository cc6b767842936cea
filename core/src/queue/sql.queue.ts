import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { validateReceiveOptions, validateSendOptions, validateVisibilityTimeout } from './queue-options.js';
import {
  MAX_RECEIVES_EXCEEDED,
  type DeadLetter,
  type MessageQueue,
  type QueueStats,
  type ReceivedMessage,
  type ReceiveOptions,
  type SendOptions,
} from './queue.port.js';
import type { SqlClient } from './sql-client.js';

export const DEFAULT_QUEUE_TABLE = 'queue_messages';

/** Why `receive` dead-lettered a message (defined with the port, which every adapter shares). */
export { MAX_RECEIVES_EXCEEDED };

const TABLE_NAME = /^(?:[a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/;

function checkTable(table: string): string {
  if (!TABLE_NAME.test(table))
    throw new Error(`Invalid queue table name ${JSON.stringify(table)}: use [a-z0-9_], optionally schema-qualified`);
  return table;
}

/**
 * The queue table and its indexes, one statement per entry (PGlite's parameterised `query`
 * runs a single statement; `queueTableDdl` joins them for a migration). Idempotent.
 */
export function queueTableDdlStatements(table: string = DEFAULT_QUEUE_TABLE): string[] {
  checkTable(table);
  const base = table.replace('.', '_');
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  queue text NOT NULL,
  body text NOT NULL,
  attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  sent_at timestamptz NOT NULL DEFAULT now(),
  visible_at timestamptz NOT NULL DEFAULT now(),
  receive_count integer NOT NULL DEFAULT 0,
  receipt uuid NULL,
  dead_lettered_at timestamptz NULL,
  dead_letter_reason text NULL
)`,
    // What receive scans: the live messages of one queue by visibility.
    `CREATE INDEX IF NOT EXISTS ${base}_ready_idx ON ${table} (queue, visible_at) WHERE dead_lettered_at IS NULL`,
    // delete / changeVisibility / deadLetter find the delivery by its receipt.
    `CREATE UNIQUE INDEX IF NOT EXISTS ${base}_receipt_idx ON ${table} (receipt) WHERE receipt IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${base}_dead_idx ON ${table} (queue, dead_lettered_at) WHERE dead_lettered_at IS NOT NULL`,
  ];
}

/** The same DDL as one script, for a migration. */
export function queueTableDdl(table: string = DEFAULT_QUEUE_TABLE): string {
  return `${queueTableDdlStatements(table).join(';\n')};\n`;
}

/** Creates the queue table if missing (tests, and setups without migrations). */
export async function ensureQueueTable(sql: SqlClient, table: string = DEFAULT_QUEUE_TABLE): Promise<void> {
  for (const statement of queueTableDdlStatements(table)) await sql.query(statement);
}

export interface SqlMessageQueueOptions {
  /** The queue's name; many queues share one table. */
  name: string;
  sql: SqlClient;
  /** A delivery beyond this many is not made: the message is dead-lettered instead. */
  maxReceives: number;
  /**
   * Park dead letters under this queue name instead of this queue's own (e.g. one `dlq` for
   * several queues, like an SQS DLQ). They are never delivered either way; `deadLetters`
   * lists them from there.
   */
  deadLetterName?: string;
  table?: string;
}

interface MessageRow {
  id: string;
  body: string;
  attributes: unknown;
  receive_count: number | string;
  receipt: string | null;
  sent_at: Date | string;
  dead_letter_reason?: string | null;
  dead_lettered: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Long polling starts checking again after this, doubling up to the cap. */
const POLL_START_MS = 50;
const POLL_CAP_MS = 500;

/**
 * Statements whose rows are read are top-level SELECTs (data-modifying CTEs rather than
 * `UPDATE … RETURNING`): TypeORM's `DataSource.query`, which the API adapts to SqlClient,
 * returns `[rows, rowCount]` instead of the rows for a top-level UPDATE or DELETE.
 *
 * A durable queue in PostgreSQL (or PGlite) with SQS semantics: at-least-once delivery, a
 * visibility timeout, receive counts and dead-lettering. Every time comparison uses the
 * database clock (`now()`), so several processes on different machines agree on who owns a
 * message. A receipt names one delivery: once a message is redelivered, the old receipt no
 * longer deletes or extends it.
 *
 * Differences from SQS: ordering is strict (oldest visible first) rather than best-effort,
 * and changeVisibility on a delivery whose timeout lapsed (but that nobody received since)
 * still works, instead of failing with MessageNotInflight.
 */
export class SqlMessageQueue implements MessageQueue {
  readonly name: string;
  readonly tellsMessageAge = true;
  private readonly sql: SqlClient;
  private readonly maxReceives: number;
  private readonly deadLetterName: string;
  private readonly table: string;

  constructor(options: SqlMessageQueueOptions) {
    if (!options.name) throw new Error('A queue needs a name');
    if (!Number.isInteger(options.maxReceives) || options.maxReceives < 1) {
      throw new Error(`maxReceives must be a positive integer, got ${options.maxReceives}`);
    }
    this.name = options.name;
    this.sql = options.sql;
    this.maxReceives = options.maxReceives;
    this.deadLetterName = options.deadLetterName ?? options.name;
    this.table = checkTable(options.table ?? DEFAULT_QUEUE_TABLE);
  }

  async send(body: string, options?: SendOptions): Promise<string> {
    const [id] = await this.sendBatch([{ body, ...(options ? { options } : {}) }]);
    return id as string;
  }

  async sendBatch(bodies: Array<{ body: string; options?: SendOptions }>): Promise<string[]> {
    if (bodies.length === 0) return [];
    // Ids come from here rather than RETURNING so they map to the input order for sure.
    const ids = bodies.map(() => randomUUID());
    const params: unknown[] = [this.name];
    const rows = bodies.map(({ body, options }, i) => {
      if (typeof body !== 'string') throw new TypeError('A message body must be a string');
      const { attributes, delaySeconds } = validateSendOptions(options);
      params.push(ids[i], body, JSON.stringify(attributes), delaySeconds);
      const n = params.length;
      return `($${n - 3}::uuid, $1, $${n - 2}, $${n - 1}::jsonb, now(), now() + $${n}::float8 * interval '1 second', 0)`;
    });
    await this.sql.query(
      `INSERT INTO ${this.table} (id, queue, body, attributes, sent_at, visible_at, receive_count) VALUES ${rows.join(', ')}`,
      params,
    );
    return ids;
  }

  async receive(options: ReceiveOptions): Promise<ReceivedMessage[]> {
    const { maxMessages, visibilityTimeoutSeconds, waitSeconds } = validateReceiveOptions(options);
    const deadline = Date.now() + waitSeconds * 1000;
    let pause = POLL_START_MS;
    for (;;) {
      const messages = await this.receiveAvailable(maxMessages, visibilityTimeoutSeconds);
      const left = deadline - Date.now();
      if (messages.length > 0 || left <= 0) return messages;
      // The wait bound is this call's own business, so the Node clock is fine here.
      await sleep(Math.min(pause, left));
      pause = Math.min(pause * 2, POLL_CAP_MS);
    }
  }

  async delete(receipt: string): Promise<void> {
    if (!UUID.test(receipt)) return;
    await this.sql.query(
      `DELETE FROM ${this.table} WHERE receipt = $1::uuid AND queue = $2 AND dead_lettered_at IS NULL`,
      [receipt, this.name],
    );
  }

  async deleteBatch(receipts: string[]): Promise<void> {
    const valid = receipts.filter((receipt) => UUID.test(receipt));
    if (valid.length === 0) return;
    const placeholders = valid.map((_, i) => `$${i + 2}::uuid`).join(', ');
    await this.sql.query(
      `DELETE FROM ${this.table} WHERE receipt IN (${placeholders}) AND queue = $1 AND dead_lettered_at IS NULL`,
      [this.name, ...valid],
    );
  }

  async changeVisibility(receipt: string, visibilityTimeoutSeconds: number): Promise<void> {
    validateVisibilityTimeout(visibilityTimeoutSeconds);
    if (!UUID.test(receipt)) return;
    await this.sql.query(
      `UPDATE ${this.table} SET visible_at = now() + $3::float8 * interval '1 second'
        WHERE receipt = $1::uuid AND queue = $2 AND dead_lettered_at IS NULL`,
      [receipt, this.name, visibilityTimeoutSeconds],
    );
  }

  /**
   * Dead-letters a delivery now, with the consumer's reason (a poison message: invalid
   * body, unknown version), instead of letting it burn its remaining receives. False when the
   * receipt is stale (the message was redelivered, deleted or dead-lettered meanwhile).
   */
  async deadLetter(receipt: string, reason: string): Promise<boolean> {
    if (!UUID.test(receipt)) return false;
    const rows = await this.sql.query(
      `WITH updated AS (
         UPDATE ${this.table}
            SET dead_lettered_at = now(), dead_letter_reason = $3, receipt = NULL, queue = $4
          WHERE receipt = $1::uuid AND queue = $2 AND dead_lettered_at IS NULL
          RETURNING id
       )
       SELECT id FROM updated`,
      [receipt, this.name, reason, this.deadLetterName],
    );
    return rows.length > 0;
  }

  deadLetterMessage(message: ReceivedMessage, reason: string): Promise<boolean> {
    return this.deadLetter(message.receipt, reason);
  }

  async stats(): Promise<QueueStats> {
    const [row] = await this.sql.query<{
      visible: number | string;
      in_flight: number | string;
      oldest_age: number | string | null;
    }>(
      `SELECT count(*) FILTER (WHERE visible_at <= now())::int AS visible,
              count(*) FILTER (WHERE visible_at > now() AND receipt IS NOT NULL)::int AS in_flight,
              extract(epoch FROM now() - min(sent_at) FILTER (WHERE visible_at <= now()))::float8 AS oldest_age
         FROM ${this.table}
        WHERE queue = $1 AND dead_lettered_at IS NULL`,
      [this.name],
    );
    return {
      visible: Number(row?.visible ?? 0),
      inFlight: Number(row?.in_flight ?? 0),
      oldestAgeSeconds:
        row?.oldest_age === null || row?.oldest_age === undefined ? null : Math.max(0, Number(row.oldest_age)),
    };
  }

  /** Counts what is parked under the dead-letter name, shared by every queue that parks there. */
  async deadLetterCount(): Promise<number> {
    const [row] = await this.sql.query<{ count: number | string }>(
      `SELECT count(*)::int AS count FROM ${this.table} WHERE queue = $1 AND dead_lettered_at IS NOT NULL`,
      [this.deadLetterName],
    );
    return Number(row?.count ?? 0);
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    if (!Number.isInteger(limit) || limit < 1) return [];
    const rows = await this.sql.query<MessageRow>(
      `SELECT id, body, attributes, receive_count, receipt, sent_at, dead_letter_reason, true AS dead_lettered
         FROM ${this.table}
        WHERE queue = $1 AND dead_lettered_at IS NOT NULL
        ORDER BY dead_lettered_at DESC, sent_at DESC
        LIMIT $2`,
      [this.deadLetterName, limit],
    );
    return rows.map((row) => {
      const letter: DeadLetter = {
        id: row.id,
        body: row.body,
        receiveCount: Number(row.receive_count),
        attributes: parseAttributes(row.attributes),
        sentAt: new Date(row.sent_at),
      };
      if (row.dead_letter_reason) letter.reason = row.dead_letter_reason;
      return letter;
    });
  }

  /**
   * One atomic statement claims up to `limit` visible messages (SKIP LOCKED: concurrent
   * receivers never wait for, nor get, each other's rows). Each claimed row either becomes a
   * delivery (fresh receipt, count + 1, invisible until now() + timeout) or, when that
   * delivery would exceed maxReceives, is dead-lettered instead.
   */
  private async receiveAvailable(limit: number, visibilityTimeoutSeconds: number): Promise<ReceivedMessage[]> {
    const delivered: ReceivedMessage[] = [];
    // Dead-lettered rows use up slots of the claim; claim again (they are gone now, so this
    // ends) until the batch is full or nothing visible is left.
    for (let round = 0; round < 10 && delivered.length < limit; round++) {
      const rows = await this.sql.query<MessageRow>(
        `WITH claimed AS MATERIALIZED (
           SELECT id FROM ${this.table}
            WHERE queue = $1 AND dead_lettered_at IS NULL AND visible_at <= now()
            ORDER BY visible_at, sent_at
            LIMIT $2
            FOR UPDATE SKIP LOCKED
         ), updated AS (
           UPDATE ${this.table} AS m SET
             receive_count = CASE WHEN m.receive_count >= $3 THEN m.receive_count ELSE m.receive_count + 1 END,
             receipt = CASE WHEN m.receive_count >= $3 THEN NULL ELSE gen_random_uuid() END,
             visible_at = CASE WHEN m.receive_count >= $3 THEN m.visible_at ELSE now() + $4::float8 * interval '1 second' END,
             dead_lettered_at = CASE WHEN m.receive_count >= $3 THEN now() END,
             dead_letter_reason = CASE WHEN m.receive_count >= $3 THEN '${MAX_RECEIVES_EXCEEDED}' END,
             queue = CASE WHEN m.receive_count >= $3 THEN $5 ELSE m.queue END
           FROM claimed
           WHERE m.id = claimed.id
           RETURNING m.id, m.body, m.attributes, m.receive_count, m.receipt, m.sent_at, m.dead_lettered_at IS NOT NULL AS dead_lettered
         )
         SELECT * FROM updated`,
        [this.name, limit - delivered.length, this.maxReceives, visibilityTimeoutSeconds, this.deadLetterName],
      );
      for (const row of rows) {
        if (row.dead_lettered || !row.receipt) continue;
        delivered.push({
          id: row.id,
          receipt: row.receipt,
          body: row.body,
          receiveCount: Number(row.receive_count),
          attributes: parseAttributes(row.attributes),
          sentAt: new Date(row.sent_at),
        });
      }
      if (rows.every((row) => !row.dead_lettered)) break;
    }
    return delivered.sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
  }
}

function parseAttributes(value: unknown): Record<string, string> {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  const attributes: Record<string, string> = {};
  if (parsed && typeof parsed === 'object') {
    for (const [name, attribute] of Object.entries(parsed))
      if (typeof attribute === 'string') attributes[name] = attribute;
  }
  return attributes;
}
