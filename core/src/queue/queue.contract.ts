import { afterEach, describe, expect, it } from 'vitest';
import { MAX_RECEIVES_EXCEEDED, type MessageQueue, type ReceivedMessage } from './queue.port.js';

/**
 * The behaviour every MessageQueue adapter must have. Each adapter's spec calls
 * `describeQueueContract` with a factory that returns a fresh, empty queue per call.
 * Timing: visibility timeouts of 1 s; tests only check that a message did or did not come
 * back, never how fast. Test-only (imports vitest): never exported from the package index.
 */
export interface QueueFixture {
  queue: MessageQueue;
  cleanup?: () => Promise<void>;
}

export interface QueueFactoryOptions {
  /** Deliveries after which the queue dead-letters a message. */
  maxReceives: number;
}

export type QueueFactory = (options: QueueFactoryOptions) => Promise<QueueFixture> | QueueFixture;

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

export function describeQueueContract(name: string, factory: QueueFactory): void {
  describe(`MessageQueue contract: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    });

    async function makeQueue(maxReceives = 5): Promise<MessageQueue> {
      const fixture = await factory({ maxReceives });
      if (fixture.cleanup) cleanups.push(fixture.cleanup);
      return fixture.queue;
    }

    /** Receives until `count` messages arrived or a long poll comes back empty. */
    async function drain(
      queue: MessageQueue,
      count: number,
      visibilityTimeoutSeconds = 30,
    ): Promise<ReceivedMessage[]> {
      const received: ReceivedMessage[] = [];
      while (received.length < count) {
        const batch = await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds, waitSeconds: 1 });
        if (batch.length === 0) break;
        received.push(...batch);
      }
      return received;
    }

    /** Waits (long polling, bounded) for the next delivery. */
    async function receiveOne(
      queue: MessageQueue,
      visibilityTimeoutSeconds = 30,
      waitSeconds = 5,
    ): Promise<ReceivedMessage | undefined> {
      const [message] = await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds, waitSeconds });
      return message;
    }

    it('sends, receives and deletes a message', async () => {
      const queue = await makeQueue();
      const body = JSON.stringify({ type: 'transcode', n: 1 });
      const id = await queue.send(body);
      const message = await receiveOne(queue);
      expect(message).toMatchObject({ id, body, receiveCount: 1 });
      expect(typeof message?.receipt).toBe('string');
      expect(message?.sentAt).toBeInstanceOf(Date);
      expect(Math.abs((message?.sentAt.getTime() ?? 0) - Date.now())).toBeLessThan(5 * 60_000);
      await queue.delete(message?.receipt as string);
      expect(await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30 })).toEqual([]);
      expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
    });

    it('returns at once with nothing when the queue is empty and there is no wait', async () => {
      const queue = await makeQueue();
      expect(await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30, waitSeconds: 0 })).toEqual([]);
    });

    it('carries string attributes such as traceparent', async () => {
      const queue = await makeQueue();
      await queue.send('{}', { attributes: { traceparent: TRACEPARENT, 'aleflix.kind': 'job' } });
      const message = await receiveOne(queue);
      expect(message?.attributes).toEqual({ traceparent: TRACEPARENT, 'aleflix.kind': 'job' });
    });

    it('keeps a message away from others while in flight and brings it back when the timeout lapses', async () => {
      const queue = await makeQueue();
      const id = await queue.send('in flight');
      const first = await receiveOne(queue, 1);
      expect(first?.id).toBe(id);
      expect(await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30 })).toEqual([]);
      const again = await receiveOne(queue, 30, 10);
      expect(again).toMatchObject({ id, body: 'in flight', receiveCount: 2 });
      expect(again?.receipt).not.toBe(first?.receipt);
    });

    it('releases a message at once with changeVisibility(0)', async () => {
      const queue = await makeQueue();
      const id = await queue.send('release me');
      const first = await receiveOne(queue, 300);
      await queue.changeVisibility(first?.receipt as string, 0);
      const again = await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 300, waitSeconds: 2 });
      expect(again).toHaveLength(1);
      expect(again[0]).toMatchObject({ id, receiveCount: 2 });
    });

    it('extends the invisibility of a delivery with changeVisibility (heartbeat)', async () => {
      const queue = await makeQueue();
      await queue.send('long job');
      const first = await receiveOne(queue, 1);
      await queue.changeVisibility(first?.receipt as string, 60);
      // Well past the original 1 s timeout: it did not come back.
      expect(await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 30, waitSeconds: 2 })).toEqual([]);
      await queue.delete(first?.receipt as string);
      expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
    });

    it('ignores a stale receipt once the message was delivered again', async () => {
      const queue = await makeQueue();
      const id = await queue.send('redelivered');
      const first = await receiveOne(queue, 1);
      const second = await receiveOne(queue, 60, 10);
      expect(second?.id).toBe(id);
      await queue.delete(first?.receipt as string);
      await queue.changeVisibility(first?.receipt as string, 0);
      await queue.deleteBatch([first?.receipt as string]);
      // Still owned by the second delivery: not visible, still in flight.
      expect(await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 30 })).toEqual([]);
      expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 1 });
      await queue.delete(second?.receipt as string);
      expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
    });

    it('treats receipts it never issued as stale', async () => {
      const queue = await makeQueue();
      await queue.delete('not-a-receipt');
      await queue.deleteBatch(['not-a-receipt', '00000000-0000-4000-8000-000000000000']);
      await queue.changeVisibility('00000000-0000-4000-8000-000000000000', 0);
    });

    it('counts deliveries and dead-letters a message after maxReceives', async () => {
      const queue = await makeQueue(2);
      const id = await queue.send('poison', { attributes: { traceparent: TRACEPARENT } });
      for (const expected of [1, 2]) {
        const message = await receiveOne(queue, 60);
        expect(message).toMatchObject({ id, receiveCount: expected });
        await queue.changeVisibility(message?.receipt as string, 0);
      }
      // A third delivery would exceed maxReceives: the message goes to the dead letters.
      expect(await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 60 })).toEqual([]);
      const letters = await queue.deadLetters(10);
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ id, body: 'poison', attributes: { traceparent: TRACEPARENT } });
      expect(letters[0]?.receiveCount).toBeGreaterThanOrEqual(2);
      expect(letters[0]?.sentAt).toBeInstanceOf(Date);
      expect(letters[0]?.reason).toBe(MAX_RECEIVES_EXCEEDED);
      expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
    });

    it('dead-letters a poison delivery at once, with the consumer’s reason and the message’s attributes', async () => {
      const queue = await makeQueue(5);
      if (!queue.deadLetterMessage) throw new Error(`${name} cannot dead-letter a delivery`);
      const body = '{"type":"transcode","version":99}';
      await queue.send(body, { attributes: { traceparent: TRACEPARENT } });
      const message = await receiveOne(queue, 60);
      expect(await queue.deadLetterMessage(message as ReceivedMessage, 'invalid job message: version')).toBe(true);
      // Gone from the queue at once, not after its remaining receives.
      expect(await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 60, waitSeconds: 1 })).toEqual([]);
      expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
      const letters = await queue.deadLetters(10);
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ body, reason: 'invalid job message: version' });
      expect(letters[0]?.attributes).toEqual({ traceparent: TRACEPARENT });
    });

    it('still delivers the other messages when one is dead-lettered in the same receive', async () => {
      const queue = await makeQueue(1);
      const poison = await queue.send('poison');
      const first = await receiveOne(queue, 60);
      expect(first?.id).toBe(poison);
      await queue.changeVisibility(first?.receipt as string, 0);
      const healthy = await queue.send('healthy');
      const received = await drain(queue, 1);
      expect(received.map((message) => message.id)).toEqual([healthy]);
      expect((await queue.deadLetters(10)).map((letter) => letter.id)).toEqual([poison]);
    });

    it('sends and deletes in batches, beyond SQS batch size', async () => {
      const queue = await makeQueue();
      const bodies = Array.from({ length: 23 }, (_, i) => ({
        body: `m${i}`,
        options: { attributes: { traceparent: TRACEPARENT } },
      }));
      const ids = await queue.sendBatch(bodies);
      expect(ids).toHaveLength(23);
      expect(new Set(ids).size).toBe(23);
      const received = await drain(queue, 23);
      expect(received.map((message) => message.body).sort()).toEqual(bodies.map((entry) => entry.body).sort());
      // The ids line up with the bodies sent.
      for (const message of received) expect(ids[Number(message.body.slice(1))]).toBe(message.id);
      expect(received.every((message) => message.attributes.traceparent === TRACEPARENT)).toBe(true);
      await queue.deleteBatch(received.map((message) => message.receipt));
      expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
      expect(await queue.sendBatch([])).toEqual([]);
      await queue.deleteBatch([]);
    });

    it('never gives the same message to two concurrent receivers', async () => {
      const queue = await makeQueue();
      const ids = await queue.sendBatch(Array.from({ length: 20 }, (_, i) => ({ body: `job ${i}` })));
      const consume = async () => {
        const got: ReceivedMessage[] = [];
        for (;;) {
          const batch = await queue.receive({ maxMessages: 3, visibilityTimeoutSeconds: 60 });
          if (batch.length === 0) return got;
          got.push(...batch);
        }
      };
      const [a, b] = await Promise.all([consume(), consume()]);
      const all = [...a, ...b].map((message) => message.id);
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual([...ids].sort());
    });

    it('delays a message sent with delaySeconds', async () => {
      const queue = await makeQueue();
      const id = await queue.send('later', { delaySeconds: 1 });
      expect(await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 30 })).toEqual([]);
      expect((await receiveOne(queue, 30, 10))?.id).toBe(id);
    });

    it('long-polls: a receive that is waiting gets a message sent meanwhile', async () => {
      const queue = await makeQueue();
      const waiting = queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 30, waitSeconds: 10 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const id = await queue.send('wake up');
      const [message] = await waiting;
      expect(message?.id).toBe(id);
    });

    it('reports visible and in-flight counts and the age of the oldest message', async () => {
      const queue = await makeQueue();
      expect(await queue.stats()).toEqual({ visible: 0, inFlight: 0, oldestAgeSeconds: null });
      await queue.sendBatch([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
      const before = await queue.stats();
      expect(before).toMatchObject({ visible: 3, inFlight: 0 });
      if (before.oldestAgeSeconds !== null) expect(before.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
      await receiveOne(queue, 60);
      expect(await queue.stats()).toMatchObject({ visible: 2, inFlight: 1 });
    });

    it('refuses receive options outside the SQS limits', async () => {
      const queue = await makeQueue();
      await expect(queue.receive({ maxMessages: 0, visibilityTimeoutSeconds: 30 })).rejects.toThrow(RangeError);
      await expect(queue.receive({ maxMessages: 11, visibilityTimeoutSeconds: 30 })).rejects.toThrow(RangeError);
      await expect(queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: -1 })).rejects.toThrow(RangeError);
      await expect(queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 30, waitSeconds: 21 })).rejects.toThrow(
        RangeError,
      );
      await expect(queue.send('x', { delaySeconds: 901 })).rejects.toThrow(RangeError);
      await expect(queue.send('x', { attributes: { traceparent: '' } })).rejects.toThrow(RangeError);
    });
  });
}
