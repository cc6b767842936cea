import { describe, expect, it } from 'vitest';
import { createLogger, nestLogLevels } from './logger.js';

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
    const logger = createLogger('info');
    if (!logger) throw new Error('expected a logger');
    const printed: string[] = [];
    (logger as unknown as { printMessages: (messages: unknown[]) => void }).printMessages = (messages) =>
      printed.push(...messages.map(String));
    logger.log('Mapped {/x, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Created the first admin account', 'Users');
    logger.debug('not at info', 'Users');
    expect(printed).toEqual(['Created the first admin account']);

    const debug = createLogger('debug');
    if (!debug) throw new Error('expected a logger');
    const all: string[] = [];
    (debug as unknown as { printMessages: (messages: unknown[]) => void }).printMessages = (messages) =>
      all.push(...messages.map(String));
    debug.log('Mapped {/x, GET} route', 'RouterExplorer');
    expect(all).toEqual(['Mapped {/x, GET} route']);
  });
});
