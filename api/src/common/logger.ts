import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Logger } from '@aleflix/workers';
import type { Env } from '../config/config.schema.js';
import { createAppLogger, type AppLoggerOptions } from '../observability/app-logger.js';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const CUTOFF: Record<Exclude<Env['LOG_LEVEL'], 'silent'>, LogLevel> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'log',
  debug: 'debug',
  trace: 'verbose',
};

/** Nest's levels enabled by LOG_LEVEL (`info` is Nest's `log`, `trace` its `verbose`). */
export function nestLogLevels(level: Env['LOG_LEVEL']): LogLevel[] {
  if (level === 'silent') return [];
  return ORDER.slice(0, ORDER.indexOf(CUTOFF[level]) + 1);
}

/** Nest's start-up chatter (one line per module and route), shown from `debug` on. */
const BOOT_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's LoggerService over pino, so `new Logger('Context')` anywhere in the API writes the
 * same structured lines as the rest: `context` is a field, an Error or a stack is logged as
 * `err`, and objects passed as messages become fields.
 */
export class PinoNestLogger implements LoggerService {
  constructor(
    readonly pino: Logger,
    private readonly bootChatter: boolean,
  ) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: PinoLevel, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest passes the context last: `logger.error(message, stack?, context)`.
    const context = params.length > 0 && typeof params.at(-1) === 'string' ? (params.pop() as string) : undefined;
    if (!this.bootChatter && context && BOOT_CONTEXTS.has(context)) return;
    const fields: Record<string, unknown> = context ? { context } : {};
    const stack = params.find((param): param is string => typeof param === 'string' && /\n\s+at /.test(param));
    if (stack) fields.stack = stack;
    if (message instanceof Error) this.pino[level]({ ...fields, err: message }, message.message);
    else if (message !== null && typeof message === 'object') this.pino[level]({ ...fields, ...message });
    else this.pino[level](fields, String(message));
  }
}

/** The process logger: pino at LOG_LEVEL, without Nest's start-up chatter at `info`. */
export function createLogger(level: Env['LOG_LEVEL'], options: AppLoggerOptions = {}): PinoNestLogger | false {
  if (level === 'silent') return false;
  return new PinoNestLogger(createAppLogger(level, options), nestLogLevels(level).includes('debug'));
}
