import { describe, expect, it } from 'vitest';
import type { MessageQueue, ReceivedMessage } from '@aleflix/core';
import type { AppConfig } from '../config/app-config.js';
import { JobEventsConsumer } from './job-events.consumer.js';
import type { JobEventsService } from './job-events.service.js';

/** A queue whose long poll answers only when the test says so. */
class HeldQueue {
  readonly released: Array<[string, number]> = [];
  receives = 0;
  private answer: ((messages: ReceivedMessage[]) => void) | undefined;

  receive(): Promise<ReceivedMessage[]> {
    this.receives += 1;
    return new Promise((resolve) => (this.answer = resolve));
  }

  async changeVisibility(receipt: string, seconds: number): Promise<void> {
    this.released.push([receipt, seconds]);
  }

  respond(messages: ReceivedMessage[]): void {
    this.answer?.(messages);
  }
}

const message = (n: number): ReceivedMessage => ({
  id: `m${n}`,
  receipt: `r${n}`,
  body: '{}',
  receiveCount: 1,
  attributes: {},
  sentAt: new Date(),
});

describe('JobEventsConsumer', () => {
  it('stops without waiting out a long poll, and gives back what that poll returns late', async () => {
    const queue = new HeldQueue();
    const applied: unknown[] = [];
    const events = { apply: async (event: unknown) => void applied.push(event) } as unknown as JobEventsService;
    const config = { env: { BACKGROUND_TASKS: true } } as unknown as AppConfig;
    const consumer = new JobEventsConsumer(config, queue as unknown as MessageQueue, events);

    consumer.onApplicationBootstrap();
    expect(queue.receives).toBe(1);
    // Resolves although the poll is still open (the test would time out otherwise).
    await consumer.onApplicationShutdown();

    queue.respond([message(1), message(2)]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.released).toEqual([
      ['r1', 0],
      ['r2', 0],
    ]);
    expect(applied).toEqual([]);
    expect(queue.receives).toBe(1);
  });
});
