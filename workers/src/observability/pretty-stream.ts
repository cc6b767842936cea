import type { DestinationStream } from 'pino';

const COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[36m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[35m',
};
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
/** Fields every line has, or that the pretty line already shows. */
const SHOWN = new Set(['time', 'level', 'msg', 'context', 'service']);

/**
 * LOG_FORMAT=pretty: one readable line per entry (`12:00:01.123 INFO [Context] message
 * {fields}`) for a developer's terminal, without pulling in pino-pretty. It formats the JSON
 * line pino has already built, redaction included.
 */
export function prettyStream(target: NodeJS.WritableStream, colors: boolean): DestinationStream {
  return {
    write(line: string) {
      target.write(`${formatLine(line, colors)}\n`);
    },
  };
}

export function formatLine(line: string, colors: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const level = String(entry.level ?? 'info');
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const label = level.toUpperCase().padEnd(5);
  const context = typeof entry.context === 'string' ? `[${entry.context}] ` : '';
  const rest = Object.fromEntries(Object.entries(entry).filter(([key]) => !SHOWN.has(key)));
  const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const message = String(entry.msg ?? '');
  if (!colors) return `${time} ${label} ${context}${message}${fields}`;
  return `${DIM}${time}${RESET} ${COLORS[level] ?? ''}${label}${RESET} ${context}${message}${DIM}${fields}${RESET}`;
}
