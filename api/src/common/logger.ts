import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { Env } from '../config/config.schema.js';

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

/** The process logger: Nest's console logger at LOG_LEVEL, without the start-up chatter at `info`. */
export function createLogger(level: Env['LOG_LEVEL']): ConsoleLogger | false {
  if (level === 'silent') return false;
  const levels = nestLogLevels(level);
  const bootChatter = levels.includes('debug');
  return new (class extends ConsoleLogger {
    override log(message: unknown, ...rest: unknown[]): void {
      const context = rest.at(-1);
      if (!bootChatter && typeof context === 'string' && BOOT_CONTEXTS.has(context)) return;
      super.log(message, ...(rest as [string?]));
    }
  })({ logLevels: levels, colors: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
}
