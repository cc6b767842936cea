import type { LogFields, MediaLogger } from '@aleflix/core';

/** One JSON line per entry on stdout/stderr: what CloudWatch and log shippers expect. */
export function consoleLogger(base: LogFields = {}): MediaLogger {
  const write =
    (level: string, stream: NodeJS.WriteStream) =>
    (message: string, fields: LogFields = {}) => {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...base, ...fields })}\n`);
    };
  return {
    info: write('info', process.stdout),
    warn: write('warn', process.stderr),
    error: write('error', process.stderr),
  };
}
