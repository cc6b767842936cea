/**
 * The only logging the media core needs. Kept this small so the Lambda handler, the poller
 * and tests can each pass what they have (pino, Nest's logger, console, nothing) through a
 * one-line adapter.
 */
export type LogFields = Record<string, unknown>;

export interface MediaLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const silentLogger: MediaLogger = {
  info() {},
  warn() {},
  error() {},
};
