// Public surface of the queue port and its adapters. The contract suite (queue.contract.ts)
// imports vitest and is for specs only: import it by path.
export * from './queue.port.js';
export { InvalidQueueOptionError, QUEUE_LIMITS } from './queue-options.js';
export { sqlClientFrom, type RowsQueryable, type SqlClient } from './sql-client.js';
export {
  DEFAULT_QUEUE_TABLE,
  SqlMessageQueue,
  ensureQueueTable,
  queueTableDdl,
  queueTableDdlStatements,
  type SqlMessageQueueOptions,
} from './sql.queue.js';
export {
  DEAD_LETTER_REASON_ATTRIBUTE,
  SqsMessageQueue,
  createSqsClient,
  ensureSqsQueues,
  findDeadLetterQueueUrl,
  type EnsureSqsQueuesOptions,
  type SqsClientOptions,
  type SqsMessageQueueOptions,
  type SqsQueueUrls,
} from './sqs.queue.js';
