import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { ensureQueueTable, SqlMessageQueue, sqlClientFrom, type ReceivedMessage, type SqlClient } from '@aleflix/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deferred, memoryLogger, waitFor } from '../test/support.js';
import { startPoller, type Poller, type PollerOptions } from './poller.js';
import type { DeliveryControls, Outcome } from './transcode-handler.js';

// The poller against the real embedded queue (SqlMessageQueue on PGlite), with fake handlers:
// what is tested is the loop and how outcomes become deletes and releases.
let db: PGlite;
let sql: SqlClient;

beforeAll(async () => {
  db = await PGlite.create();
  sql = sqlClientFrom(db);
  await ensureQueueTable(sql);
});
afterAll(async () => {
  await db?.close();
});

const queueNamed = () => new SqlMessageQueue({ name: `jobs-${randomUUID()}`, sql, maxReceives: 5 });
type Handle = PollerOptions['handle'];

const pollers: Poller[] = [];
function poll(queue: SqlMessageQueue, handle: Handle, options: Partial<PollerOptions> = {}): Poller {
  const poller = startPoller({
    queue,
    handle,
    logger: memoryLogger(),
    concurrency: 1,
    visibilityTimeoutSeconds: 60,
    waitSeconds: 1,
    ...options,
  });
  pollers.push(poller);
  return poller;
}
afterAll(async () => {
  await Promise.all(pollers.map((poller) => poller.stop()));
});

/** Whatever is visible now, received and put straight back. */
async function visibleNow(queue: SqlMessageQueue): Promise<ReceivedMessage[]> {
  const messages = await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 0 });
  return messages;
}

describe('startPoller', () => {
  it('never runs more jobs than its concurrency, and deletes what is done', async () => {
    const queue = queueNamed();
    await queue.sendBatch(Array.from({ length: 5 }, (_, i) => ({ body: `job ${i}` })));
    let active = 0;
    let peak = 0;
    const handled: string[] = [];
    const poller = poll(
      queue,
      async (message) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 100));
        handled.push(message.body);
        active--;
        return { kind: 'done' };
      },
      { concurrency: 2 },
    );
    await waitFor('every job handled', () => handled.length === 5);
    await waitFor('every message deleted', async () => (await queue.stats()).inFlight === 0);
    await poller.stop();
    expect(peak).toBe(2);
    expect(handled.sort()).toEqual(['job 0', 'job 1', 'job 2', 'job 3', 'job 4']);
    expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('puts a retried message back after the backoff, and it comes back with a higher receive count', async () => {
    const queue = queueNamed();
    const id = await queue.send('flaky');
    const changeVisibility = vi.spyOn(queue, 'changeVisibility');
    const seen: number[] = [];
    const poller = poll(
      queue,
      async (message) => {
        seen.push(message.receiveCount);
        return message.receiveCount === 1 ? { kind: 'retry', reason: 'transient' } : { kind: 'done' };
      },
      { retryBackoffSeconds: [1] },
    );
    await waitFor('the second delivery handled', () => seen.length === 2);
    await waitFor('the message deleted', async () => (await queue.stats()).inFlight === 0);
    await poller.stop();
    expect(seen).toEqual([1, 2]);
    expect(changeVisibility).toHaveBeenCalledWith(expect.any(String), 1);
    expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
    expect(id).toBeTruthy();
  });

  it('treats a handler that throws as a retry, and hands poison to onPoison', async () => {
    const queue = queueNamed();
    await queue.send('boom');
    await queue.send('poison');
    const poisoned: string[] = [];
    const seen: string[] = [];
    const poller = poll(
      queue,
      async (message) => {
        seen.push(`${message.body}#${message.receiveCount}`);
        if (message.body === 'poison') return { kind: 'poison', reason: 'invalid job message' };
        if (message.receiveCount === 1) throw new Error('unexpected');
        return { kind: 'done' };
      },
      {
        retryBackoffSeconds: [1],
        onPoison: async (message, reason) => {
          poisoned.push(reason);
          await queue.deadLetter(message.receipt, reason);
        },
      },
    );
    await waitFor('boom retried', () => seen.includes('boom#2'));
    await waitFor('everything settled', async () => (await queue.stats()).inFlight === 0);
    await poller.stop();
    expect(poisoned).toEqual(['invalid job message']);
    expect((await queue.deadLetters(5)).map((letter) => letter.body)).toEqual(['poison']);
    expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('dead-letters poison messages with their reason when no onPoison is given', async () => {
    const queue = queueNamed();
    await queue.send('poison');
    const handled = deferred();
    const poller = poll(queue, async () => {
      handled.resolve();
      return { kind: 'poison', reason: 'invalid job message: not JSON' };
    });
    await handled.promise;
    await waitFor('the message settled', async () => (await queue.stats()).inFlight === 0);
    await poller.stop();
    expect(await visibleNow(queue)).toEqual([]);
    expect(await queue.deadLetters(5)).toEqual([
      expect.objectContaining({ body: 'poison', reason: 'invalid job message: not JSON' }),
    ]);
  });

  it('deletes poison messages when the queue cannot dead-letter them', async () => {
    const queue = queueNamed();
    // A queue adapter without dead letters of its own.
    Object.defineProperty(queue, 'deadLetterMessage', { value: undefined });
    await queue.send('poison');
    const handled = deferred();
    const poller = poll(queue, async () => {
      handled.resolve();
      return { kind: 'poison', reason: 'bad' };
    });
    await handled.promise;
    await waitFor('the message deleted', async () => (await queue.stats()).inFlight === 0);
    await poller.stop();
    expect(await visibleNow(queue)).toEqual([]);
    expect(await queue.deadLetters(5)).toEqual([]);
  });

  it('lets a running job finish on stop when it is quick', async () => {
    const queue = queueNamed();
    await queue.send('quick');
    const started = deferred();
    const finish = deferred();
    let signal: AbortSignal | undefined;
    const poller = poll(
      queue,
      async (_message, controls: DeliveryControls) => {
        signal = controls.signal;
        started.resolve();
        await finish.promise;
        return { kind: 'done' } satisfies Outcome;
      },
      { drainTimeoutMs: 30_000 },
    );
    await started.promise;
    const stopping = poller.stop();
    expect(poller.inFlight).toBe(1);
    finish.resolve();
    await stopping;
    expect(signal?.aborted).toBe(false);
    expect(poller.inFlight).toBe(0);
    expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('aborts a job that outlives the drain timeout and makes its message visible at once', async () => {
    const queue = queueNamed();
    const id = await queue.send('slow');
    const started = deferred();
    let aborted = false;
    const poller = poll(
      queue,
      async (_message, controls) => {
        started.resolve();
        await new Promise<void>((resolve) =>
          controls.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        aborted = true;
        return { kind: 'retry', reason: 'worker stopping' };
      },
      // A long visibility timeout: only the release can make the message visible again.
      { drainTimeoutMs: 200, visibilityTimeoutSeconds: 600, retryBackoffSeconds: [600] },
    );
    await started.promise;
    await poller.stop();
    expect(aborted).toBe(true);
    const again = await visibleNow(queue);
    expect(again).toMatchObject([{ id, body: 'slow', receiveCount: 2 }]);
  });

  it('runs the clean-up a handler hands over after the release, and stop waits for it', async () => {
    const queue = queueNamed();
    const id = await queue.send('slow');
    const started = deferred();
    const cleanup = deferred();
    const order: string[] = [];
    const changeVisibility = queue.changeVisibility.bind(queue);
    queue.changeVisibility = async (receipt, seconds) => {
      await changeVisibility(receipt, seconds);
      if (seconds === 0) order.push('released');
    };
    const poller = poll(
      queue,
      async (_message, controls) => {
        started.resolve();
        await new Promise<void>((resolve) =>
          controls.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        controls.afterSettled?.(async () => {
          order.push('cleaning up');
          await cleanup.promise;
          order.push('cleaned up');
        });
        return { kind: 'retry', reason: 'worker stopping' };
      },
      { drainTimeoutMs: 0, visibilityTimeoutSeconds: 600 },
    );
    await started.promise;
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await waitFor('the clean-up to start', () => order.includes('cleaning up'));
    // Released first: another worker can take the job while this one still cleans up.
    expect(order).toEqual(['released', 'cleaning up']);
    expect(await visibleNow(queue)).toMatchObject([{ id, receiveCount: 2 }]);
    expect(stopped).toBe(false);
    expect(poller.inFlight).toBe(1);
    cleanup.resolve();
    await stopping;
    expect(order).toEqual(['released', 'cleaning up', 'cleaned up']);
  });

  it('stops without waiting for a long poll, and gives back what that poll receives later', async () => {
    const queue = queueNamed();
    const handle = vi.fn<Handle>(async () => ({ kind: 'done' }));
    // An idle poller in a 20 s long poll with a 10 minute visibility timeout.
    const poller = poll(queue, handle, { waitSeconds: 20, visibilityTimeoutSeconds: 600 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const outcome = await Promise.race([
      poller.stop().then(() => 'stopped'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 10_000)),
    ]);
    expect(outcome).toBe('stopped');
    // The abandoned poll is still running: the next message lands in it, and must come back
    // at once (received once, visible) rather than after the 10 minute visibility timeout.
    const id = await queue.send('after stop');
    await waitFor(
      'the abandoned poll to take the message and release it',
      async () => {
        const [row] = await sql.query<{ receive_count: number; visible: boolean }>(
          'SELECT receive_count, visible_at <= now() AS visible FROM queue_messages WHERE id = $1',
          [id],
        );
        return row?.receive_count === 1 && row.visible;
      },
      15_000,
    );
    expect(await visibleNow(queue)).toMatchObject([{ id, receiveCount: 2 }]);
    expect(handle).not.toHaveBeenCalled();
  });
});
