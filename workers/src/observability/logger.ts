import type { LogFields, MediaLogger } from '@aleflix/core';
import { pino, type DestinationStream, type Logger } from 'pino';
import { prettyStream } from './pretty-stream.js';
import { scrubSecrets, scrubString } from './redact.js';
import { activeTraceFields } from './trace-context.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerSettings {
  level?: LogLevel;
  /** Default: `pretty` when stdout is a terminal, else `json` (one JSON object per line). */
  format?: LogFormat;
  /** Fields on every line, e.g. `{ service: 'aleflix-worker' }`. */
  base?: Record<string, unknown>;
  /** Where lines go; by default below `warn` to stdout, from `warn` up to stderr. */
  destination?: DestinationStream;
  /** Fields of the moment added to every line, e.g. the API's request id. */
  context?: () => Record<string, unknown> | undefined;
}

export type { Logger };

/**
 * The structured logger of every AleFlix process (pino): JSON lines with an ISO `time`, a
 * level name, `trace_id`/`span_id` of the active span (when tracing is on), the caller's
 * context fields, and secrets scrubbed from the fields, the message and errors.
 */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const format = settings.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  return pino(
    {
      level: settings.level ?? 'info',
      base: settings.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => scrubSecrets(bindings),
        log: (fields) => scrubSecrets(fields),
      },
      serializers: {
        msg: (message: unknown) => (typeof message === 'string' ? scrubString(message) : message),
        err: (error: Error) => scrubSecrets(pino.stdSerializers.err(error)),
      },
      // The active span is more precise than what the context knows (a request's first span).
      mixin: () => ({ ...settings.context?.(), ...activeTraceFields() }),
    },
    settings.destination ?? defaultDestination(format),
  );
}

function defaultDestination(format: LogFormat): DestinationStream {
  const colors = format === 'pretty' && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const out = format === 'pretty' ? prettyStream(process.stdout, colors) : pino.destination({ fd: 1, sync: true });
  const err = format === 'pretty' ? prettyStream(process.stderr, colors) : pino.destination({ fd: 2, sync: true });
  // dedupe: each line goes to the one stream with the highest level it reaches.
  return pino.multistream(
    [
      { level: 'trace', stream: out },
      { level: 'warn', stream: err },
    ],
    { dedupe: true },
  );
}

/** The media core's small logger interface over pino (`fields` first, as pino wants). */
export function mediaLogger(logger: Logger): MediaLogger {
  return {
    info: (message: string, fields?: LogFields) => logger.info(fields ?? {}, message),
    warn: (message: string, fields?: LogFields) => logger.warn(fields ?? {}, message),
    error: (message: string, fields?: LogFields) => logger.error(fields ?? {}, message),
  };
}
