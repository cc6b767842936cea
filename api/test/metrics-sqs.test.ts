import type { MessageQueue } from '@aleflix/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEventsConsumer } from '../src/media/job-events.consumer.js';
import { EVENTS_QUEUE, JOBS_QUEUE } from '../src/media/media.tokens.js';
import { startFakeAws, type FakeAws } from './fake-aws.js';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';
import { randomFile, uploadWhole } from './media-helpers.js';
import { parsePrometheusText, sampleValue, type Sample } from './prometheus-text.js';
import { eventually } from './redis-test-support.js';

const METRICS_TOKEN = 'metrics-token-for-the-sqs-test';
const AGE = 'aleflix_queue_oldest_message_age_seconds';
const HOUR = 3600;
const MINUTE = 60;

/**
 * The oldest-message age on SQS (fauxqs), which cannot tell it: the jobs queue reports the
 * oldest job still `queued` (not yet started by a worker), the events queue only 0 when SQS
 * counts nothing waiting. No worker runs, so jobs stay queued until the test starts them.
 */
describe.each(databaseTargets())('queue age metrics with SQS on $name', (target) => {
  let aws: FakeAws;
  let t: TestApp;
  let editor: string;
  /** When this file began: no job it creates is older, which bounds the ages it can read. */
  let startedAt: number;
  const jobIds: string[] = [];
  const assetIds: string[] = [];

  async function scrape(): Promise<Sample[]> {
    const response = await t.request('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    return parsePrometheusText(response.body);
  }

  async function startJob(index: number): Promise<void> {
    const at = new Date().toISOString();
    const event = { version: 1, jobId: jobIds[index], assetId: assetIds[index], attempt: 1, workerId: 'w', at };
    await t.app.get<MessageQueue>(EVENTS_QUEUE).send(JSON.stringify({ ...event, type: 'started' }));
  }

  async function drainEvents(): Promise<void> {
    const consumer = t.app.get(JobEventsConsumer);
    while ((await consumer.drainOnce()) > 0);
  }

  beforeAll(async () => {
    startedAt = Date.now();
    aws = await startFakeAws();
    const [jobs, events] = await Promise.all([
      aws.createQueues('metrics-transcode', { maxReceives: 3, visibilityTimeoutSeconds: 30 }),
      aws.createQueues('metrics-events', { maxReceives: 5, visibilityTimeoutSeconds: 30 }),
    ]);
    t = await createTestApp(target, {
      ...aws.env(),
      SQS_JOBS_QUEUE_URL: jobs.queueUrl,
      SQS_EVENTS_QUEUE_URL: events.queueUrl,
      METRICS_TOKEN,
    });
    editor = (await t.userWithRole('editor')).token;
  });
  afterAll(async () => {
    await t?.close();
    await aws?.stop();
  });

  it('reports 0 for both queues while nothing waits', async () => {
    const samples = await scrape();
    expect(sampleValue(samples, AGE, { queue: 'transcode-jobs' })).toBe(0);
    expect(sampleValue(samples, AGE, { queue: 'transcode-events' })).toBe(0);
  });

  it('reports the age of the oldest queued job for the jobs queue', async () => {
    for (const size of [1000, 2000]) {
      const { assetId } = await uploadWhole(t, editor, randomFile(size));
      assetIds.push(assetId);
      jobIds.push((await t.request('GET', `/assets/${assetId}`, { token: editor })).json().job.id);
    }
    // The first job has waited an hour (as if no worker ran since), the second a minute.
    const backdate = `UPDATE jobs SET created_at = created_at - make_interval(secs => $2) WHERE id = $1`;
    await t.dataSource.query(backdate, [jobIds[0], HOUR]);
    await t.dataSource.query(backdate, [jobIds[1], MINUTE]);
    await eventually(
      async () => sampleValue(await scrape(), 'aleflix_queue_depth', { queue: 'transcode-jobs' }) === 2,
      10_000,
      'both job messages waiting in SQS',
    );

    const age = sampleValue(await scrape(), AGE, { queue: 'transcode-jobs' });
    expect(age).toBeGreaterThanOrEqual(HOUR);
    // Bounded by how long this test has run: the backdated job, not a made-up number.
    expect(age).toBeLessThanOrEqual(HOUR + (Date.now() - startedAt) / 1000 + 1);
  });

  it('stops counting a job once a worker has started it, whatever SQS still holds', async () => {
    // A worker took both messages; only the first job's `started` event is sent.
    const jobs = t.app.get<MessageQueue>(JOBS_QUEUE);
    let received = 0;
    await eventually(
      async () => (received += (await jobs.receive({ maxMessages: 10, visibilityTimeoutSeconds: 600 })).length) === 2,
      10_000,
      'both job messages received',
    );
    await startJob(0);

    // Nothing records when an event was sent: with one waiting, the events queue has no age.
    let waiting: Sample[] = [];
    await eventually(
      async () => sampleValue((waiting = await scrape()), 'aleflix_queue_depth', { queue: 'transcode-events' }) === 1,
      10_000,
      'the started event waiting in SQS',
    );
    expect(sampleValue(waiting, AGE, { queue: 'transcode-events' })).toBeUndefined();

    // The second job's message is in flight, but no worker has started it: it still waits.
    await drainEvents();
    const age = sampleValue(await scrape(), AGE, { queue: 'transcode-jobs' });
    expect(age).toBeGreaterThanOrEqual(MINUTE);
    expect(age).toBeLessThan(HOUR);

    await startJob(1);
    await drainEvents();
    const samples = await scrape();
    expect(sampleValue(samples, 'aleflix_jobs', { status: 'running' })).toBe(2);
    expect(sampleValue(samples, AGE, { queue: 'transcode-jobs' })).toBe(0);
  });
});
