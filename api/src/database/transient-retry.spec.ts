import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { transientDatabaseFailure } from './transient-errors.js';
import { isRetryableConnect, retrying, retryTransientRead } from './transient-retry.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const lost = () => new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly'));
const uniqueViolation = () =>
  new QueryFailedError('INSERT', [], Object.assign(new Error('duplicate key'), { code: '23505' }));

/** Records the waits instead of sleeping, so the tests are instant and see the backoff. */
function recorder() {
  const delays: number[] = [];
  return { delays, hooks: { delay: async (ms: number) => void delays.push(ms), random: () => 1 } };
}

/** Fails with each of `errors` in turn, then answers `value`; counts the calls. */
function flaky<T>(errors: Error[], value: T) {
  let calls = 0;
  const work = async () => {
    calls += 1;
    const error = errors[calls - 1];
    if (error) throw error;
    return value;
  };
  return { work, calls: () => calls };
}

describe('transientDatabaseFailure', () => {
  it('classifies by socket code, SQLSTATE and the driver texts', () => {
    expect(transientDatabaseFailure(refused())).toBe('unreachable');
    expect(transientDatabaseFailure(lost())).toBe('lost');
    expect(transientDatabaseFailure(Object.assign(new Error('terminating'), { code: '57P01' }))).toBe('lost');
    expect(transientDatabaseFailure(Object.assign(new Error('starting up'), { code: '57P03' }))).toBe('unreachable');
    expect(transientDatabaseFailure(new Error('timeout exceeded when trying to connect'))).toBe('timeout');
    expect(transientDatabaseFailure(new Error('outer', { cause: refused() }))).toBe('unreachable');
  });

  it('leaves errors about the statement alone', () => {
    expect(transientDatabaseFailure(uniqueViolation())).toBeUndefined();
    expect(transientDatabaseFailure(new Error('relation "x" does not exist'))).toBeUndefined();
    expect(transientDatabaseFailure('ECONNREFUSED')).toBeUndefined();
  });
});

describe('retryTransientRead', () => {
  it('runs a read again after a lost connection and returns its answer', async () => {
    const { delays, hooks } = recorder();
    const read = flaky([lost(), refused()], ['row']);
    await expect(retryTransientRead(read.work, hooks)).resolves.toEqual(['row']);
    expect(read.calls()).toBe(3);
    // Full jitter with random() = 1: the ceilings, doubling.
    expect(delays).toEqual([50, 100]);
  });

  it('gives up after three tries with the last error', async () => {
    const { hooks } = recorder();
    const read = flaky([lost(), lost(), refused(), refused()], 'never');
    await expect(retryTransientRead(read.work, hooks)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(read.calls()).toBe(3);
  });

  it('does not retry timeouts or errors about the statement', async () => {
    for (const error of [uniqueViolation(), new Error('Query read timeout')]) {
      const { delays, hooks } = recorder();
      const read = flaky([error], 'never');
      await expect(retryTransientRead(read.work, hooks)).rejects.toBe(error);
      expect([read.calls(), delays]).toEqual([1, []]);
    }
  });
});

describe('retrying', () => {
  it('jitters each wait between 0 and its ceiling', async () => {
    const delays: number[] = [];
    const work = flaky([refused(), refused()], 1);
    await retrying(
      work.work,
      isRetryableConnect,
      { attempts: 3, baseDelayMs: 40 },
      {
        delay: async (ms) => void delays.push(ms),
        random: () => 0.5,
      },
    );
    expect(delays).toEqual([20, 40]);
  });
});
