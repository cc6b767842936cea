import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RecordingQueue } from '../test/support.js';
import { JobEventPublisher, ProgressSender } from './events.js';

const job = {
  type: 'transcode',
  version: 1,
  jobId: randomUUID(),
  assetId: randomUUID(),
  attempt: 1,
  sourceKey: 's',
  outputPrefix: 'o/',
} as const;

describe('JobEventPublisher', () => {
  it('stamps the common fields and the traceparent, and refuses an invalid event', async () => {
    const queue = new RecordingQueue();
    const publisher = new JobEventPublisher(
      queue,
      job,
      'w1',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    );
    await publisher.publish('started', {});
    expect(queue.sent[0]).toMatchObject({
      event: { type: 'started', version: 1, jobId: job.jobId, assetId: job.assetId, attempt: 1, workerId: 'w1' },
      attributes: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    await expect(publisher.publish('progress', { percent: 140, speed: null, etaSeconds: null })).rejects.toThrow();
    expect(queue.sent).toHaveLength(1);
  });
});

describe('ProgressSender', () => {
  it('sends in order, keeps only the newest report while one is in flight, and flush waits for the last', async () => {
    const queue = new RecordingQueue();
    let release: (() => void) | undefined;
    queue.onSend = () => new Promise<void>((resolve) => (release = resolve));
    const sender = new ProgressSender(new JobEventPublisher(queue, job, 'w1', undefined), () => undefined);
    sender.push({ percent: 10, speed: 1, etaSeconds: 9 });
    sender.push({ percent: 20, speed: 1, etaSeconds: 8 });
    sender.push({ percent: 30, speed: 1, etaSeconds: 7 });
    const flushed = sender.flush();
    await Promise.resolve();
    release?.();
    await new Promise((resolve) => setImmediate(resolve));
    release?.();
    await flushed;
    expect(queue.events.map((event) => (event.type === 'progress' ? event.percent : -1))).toEqual([10, 30]);
  });

  it('reports a failed send and carries on', async () => {
    const queue = new RecordingQueue();
    const errors: unknown[] = [];
    queue.onSend = (event) => {
      if (event.type === 'progress' && event.percent === 10) throw new Error('queue down');
    };
    const sender = new ProgressSender(new JobEventPublisher(queue, job, 'w1', undefined), (error) =>
      errors.push(error),
    );
    sender.push({ percent: 10, speed: null, etaSeconds: null });
    await sender.flush();
    sender.push({ percent: 100, speed: null, etaSeconds: 0 });
    await sender.flush();
    expect(errors).toHaveLength(1);
    expect(queue.events.at(-1)).toMatchObject({ type: 'progress', percent: 100 });
  });

  it('sends nothing more once closed, but flush still waits for the send in flight', async () => {
    const queue = new RecordingQueue();
    let release: (() => void) | undefined;
    queue.onSend = () => new Promise<void>((resolve) => (release = resolve));
    const sender = new ProgressSender(new JobEventPublisher(queue, job, 'w1', undefined), () => undefined);
    sender.push({ percent: 10, speed: 1, etaSeconds: 9 });
    sender.push({ percent: 20, speed: 1, etaSeconds: 8 });
    sender.close();
    sender.push({ percent: 30, speed: 1, etaSeconds: 7 });
    let flushed = false;
    const flushing = sender.flush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    release?.();
    await flushing;
    expect(queue.events.map((event) => (event.type === 'progress' ? event.percent : -1))).toEqual([10]);
  });
});
