import type { LogFields, MediaLogger } from '@aleflix/core';
import { createLogger, mediaLogger, type LoggerSettings } from './observability/logger.js';

/**
 * The standalone worker's logger: JSON lines (pino) with trace ids and secrets scrubbed;
 * info on stdout, warnings and errors on stderr, which CloudWatch and log shippers expect.
 */
export function consoleLogger(base: LogFields = {}, settings: Omit<LoggerSettings, 'base'> = {}): MediaLogger {
  return mediaLogger(createLogger({ format: 'json', ...settings, base }));
}
