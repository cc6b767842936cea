import { createLogger as createPinoLogger, type LogFormat, type Logger } from '@aleflix/workers';
import type { DestinationStream } from 'pino';
import type { Env } from '../config/config.schema.js';
import { requestLogFields } from './request-context.js';

export interface AppLoggerOptions {
  format?: LogFormat;
  /** Where lines go; by default stdout (info and below) and stderr (warnings and errors). */
  destination?: DestinationStream;
}

/**
 * The API's pino logger: the workers' logger setup (JSON lines, secrets scrubbed, trace ids
 * of the active span) plus the request id and trace of the request being handled.
 */
export function createAppLogger(level: Exclude<Env['LOG_LEVEL'], 'silent'>, options: AppLoggerOptions = {}): Logger {
  return createPinoLogger({
    level,
    ...(options.format ? { format: options.format } : {}),
    ...(options.destination ? { destination: options.destination } : {}),
    context: requestLogFields,
  });
}
