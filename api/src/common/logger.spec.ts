import { describe, expect, it } from 'vitest';
import { createLogger, nestLogLevels } from './logger.js';

/** A pino destination that keeps the parsed lines. */
function capture() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, destination: { write: (line: string) => void lines.push(JSON.parse(line)) } };
}

describe('nestLogLevels', () => {
  it('maps LOG_LEVEL onto Nest levels, each including the more severe ones', () => {
    expect(nestLogLevels('silent')).toEqual([]);
    expect(nestLogLevels('fatal')).toEqual(['fatal']);
    expect(nestLogLevels('error')).toEqual(['fatal', 'error']);
    expect(nestLogLevels('warn')).toEqual(['fatal', 'error', 'warn']);
    expect(nestLogLevels('info')).toEqual(['fatal', 'error', 'warn', 'log']);
    expect(nestLogLevels('debug')).toEqual(['fatal', 'error', 'warn', 'log', 'debug']);
    expect(nestLogLevels('trace')).toEqual(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']);
  });
});

describe('createLogger', () => {
  it('is off when silent', () => {
    expect(createLogger('silent')).toBe(false);
  });

  it('leaves out Nest start-up chatter at info but keeps application logs', () => {
    const { lines, destination } = capture();
    const logger = createLogger('info', { destination });
    if (!logger) throw new Error('expected a logger');
    logger.log('Mapped {/x, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Created the first admin account', 'Users');
    logger.debug('not at info', 'Users');
    expect(lines.map((line) => line.msg)).toEqual(['Created the first admin account']);
    expect(lines[0]).toMatchObject({ level: 'info', context: 'Users', time: expect.any(String) });

    const all = capture();
    const debug = createLogger('debug', { destination: all.destination });
    if (!debug) throw new Error('expected a logger');
    debug.log('Mapped {/x, GET} route', 'RouterExplorer');
    expect(all.lines.map((line) => line.msg)).toEqual(['Mapped {/x, GET} route']);
  });

  it('writes errors with their stack, objects as fields, and scrubs secrets', () => {
    const { lines, destination } = capture();
    const logger = createLogger('info', { destination });
    if (!logger) throw new Error('expected a logger');
    logger.error(new Error('boom with Bearer abc.def.ghi'), 'Jobs');
    logger.error('failed', 'Error: failed\n    at somewhere (file.js:1:1)', 'Uploads');
    logger.warn({ event: 'login', password: 'hunter2-hunter2', refreshToken: 'r-123' }, 'Auth');
    expect(lines[0]).toMatchObject({ level: 'error', context: 'Jobs', msg: 'boom with Bearer [REDACTED]' });
    expect((lines[0]!.err as { stack: string }).stack).toContain('Error: boom with Bearer [REDACTED]');
    expect(lines[1]).toMatchObject({
      context: 'Uploads',
      msg: 'failed',
      stack: expect.stringContaining('at somewhere'),
    });
    expect(lines[2]).toMatchObject({
      level: 'warn',
      event: 'login',
      password: '[REDACTED]',
      refreshToken: '[REDACTED]',
    });
    expect(JSON.stringify(lines)).not.toMatch(/hunter2|r-123|abc\.def\.ghi/);
  });
});
