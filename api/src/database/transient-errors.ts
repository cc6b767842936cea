import { QueryFailedError } from 'typeorm';

/**
 * How a database call failed when the failure says nothing about the request itself:
 * - `unreachable`: no connection could be opened (refused, unroutable, server starting up);
 *   nothing was sent, so any statement may be tried again;
 * - `lost`: an open connection died (reset, terminated by the server, failover); a statement
 *   in flight may or may not have run, so only reads may be tried again;
 * - `timeout`: the server, or a free connection, did not come in time; trying again at once
 *   only adds load, so it is reported, not retried.
 */
export type TransientDatabaseFailure = 'unreachable' | 'lost' | 'timeout';

/** Socket errors of the operating system (node's `error.code`). */
const SOCKET_CODES: Record<string, TransientDatabaseFailure> = {
  ECONNREFUSED: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  // DNS hiccups while RDS moves its endpoint to a new primary.
  EAI_AGAIN: 'unreachable',
  ECONNRESET: 'lost',
  EPIPE: 'lost',
  ECONNABORTED: 'lost',
  ETIMEDOUT: 'timeout',
};

/**
 * PostgreSQL SQLSTATEs that describe the server or the connection, not the statement:
 * class 08 (connection exception), 57P01..57P03 (operator intervention: the server shuts
 * down or is not accepting connections yet), 53300 (too many connections) and 57014 (the
 * statement_timeout cancelled the query).
 */
function sqlStateFailure(code: string): TransientDatabaseFailure | undefined {
  if (code === '08001' || code === '08004' || code === '57P03' || code === '53300') return 'unreachable';
  if (code.startsWith('08') || code === '57P01' || code === '57P02') return 'lost';
  if (code === '57014') return 'timeout';
  return undefined;
}

/**
 * node-postgres and pg-pool raise these without a code, so their text is all there is. The
 * texts are the library's own (pg/lib/client.js, pg-pool/index.js), matched exactly.
 */
const DRIVER_MESSAGES: Record<string, TransientDatabaseFailure> = {
  'Connection terminated unexpectedly': 'lost',
  'Client has encountered a connection error and is not queryable': 'lost',
  // A statement outlived query_timeout: the server, or the network to it, is not answering.
  'Query read timeout': 'timeout',
  // Waiting for a free pooled connection, or for a new one to be opened, took too long.
  'timeout exceeded when trying to connect': 'timeout',
  'Connection terminated due to connection timeout': 'timeout',
};

/**
 * The transient failure behind `error`, or undefined when the error is about the statement
 * (a constraint, bad SQL, a bug) and must surface as it is. Looks through TypeORM's
 * QueryFailedError, `cause` chains and AggregateErrors (node's happy-eyeballs connect).
 */
export function transientDatabaseFailure(error: unknown, depth = 0): TransientDatabaseFailure | undefined {
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  if (error instanceof QueryFailedError) return transientDatabaseFailure(error.driverError, depth + 1);
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string') {
    const failure = SOCKET_CODES[code] ?? (/^[0-9A-Z]{5}$/.test(code) ? sqlStateFailure(code) : undefined);
    if (failure) return failure;
  }
  if (typeof message === 'string' && DRIVER_MESSAGES[message]) return DRIVER_MESSAGES[message];
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const failure = transientDatabaseFailure(inner, depth + 1);
      if (failure) return failure;
    }
  }
  return cause === undefined ? undefined : transientDatabaseFailure(cause, depth + 1);
}
