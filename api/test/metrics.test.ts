import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageQueue } from '@aleflix/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEventsConsumer } from '../src/media/job-events.consumer.js';
import { EVENTS_QUEUE, JOBS_QUEUE } from '../src/media/media.tokens.js';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';
import { randomFile, uploadWhole } from './media-helpers.js';
import { parsePrometheusText, sampleValue, type Sample } from './prometheus-text.js';

const METRICS_TOKEN = 'metrics-token-for-the-test';

/**
 * GET /metrics after real traffic: HTTP durations labelled by route template, the session
 * cache, upload bytes, a job finished through its events (transcode duration and realtime
 * factor), and the job and queue gauges read from the database at scrape time.
 */
describe.each(databaseTargets())('GET /metrics on $name', (target) => {
  let t: TestApp;
  let editor: string;
  let samples: Sample[];
  const upload = randomFile(3000);

  async function scrape(): Promise<Sample[]> {
    const response = await t.request('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parsePrometheusText(response.body);
  }

  beforeAll(async () => {
    t = await createTestApp(target, { METRICS_TOKEN });
    editor = (await t.userWithRole('editor')).token;
    await t.request('GET', '/titles', { token: editor });
    await t.request('GET', '/titles/no-such-title', { token: editor });
    await t.request('GET', '/titles/another-missing-one', { token: editor });
    await t.request('GET', '/definitely/not/a/route');

    // An upload through the API, its job finished by a worker's events (no ffmpeg needed).
    const { assetId } = await uploadWhole(t, editor, upload);
    const jobId: string = (await t.request('GET', `/assets/${assetId}`, { token: editor })).json().job.id;
    const outputPrefix = `assets/${assetId}/attempts/1/run-metrics/`;
    mkdirSync(join(t.home, 'media', outputPrefix), { recursive: true });
    writeFileSync(join(t.home, 'media', outputPrefix, 'master.m3u8'), '#EXTM3U\n');
    const base = { version: 1, jobId, assetId, attempt: 1, workerId: 'metrics-test', at: new Date().toISOString() };
    const events = t.app.get<MessageQueue>(EVENTS_QUEUE);
    await events.send(JSON.stringify({ ...base, type: 'started' }));
    await events.send(
      JSON.stringify({
        ...base,
        type: 'ready',
        outputPrefix,
        masterPlaylist: 'master.m3u8',
        poster: null,
        thumbnails: null,
        media: {
          durationSeconds: 10,
          width: 320,
          height: 240,
          videoCodec: 'h264',
          audioCodec: null,
          frameRate: 25,
          rotation: 0,
          bitDepth: 8,
          audioChannels: 0,
        },
        renditions: [
          {
            name: '240p',
            width: 320,
            height: 240,
            bandwidth: 300000,
            codecs: 'avc1.64000D',
            playlist: '240p/index.m3u8',
          },
        ],
        encodeSeconds: 4,
      }),
    );
    const consumer = t.app.get(JobEventsConsumer);
    while ((await consumer.drainOnce()) > 0);

    // A poison message parked in the jobs queue's dead letters; the upload's job message is
    // still waiting (nothing consumes jobs in this app).
    const jobs = t.app.get<MessageQueue>(JOBS_QUEUE);
    await jobs.send('not json', { delaySeconds: 0 });
    const received = await jobs.receive({ maxMessages: 10, visibilityTimeoutSeconds: 60 });
    const poison = received.find((message) => message.body === 'not json')!;
    for (const message of received) if (message !== poison) await jobs.changeVisibility(message.receipt, 0);
    expect(await jobs.deadLetterMessage?.(poison, 'invalid job message: not JSON')).toBe(true);

    samples = await scrape();
  });
  afterAll(() => t?.close());

  it('needs the METRICS_TOKEN when one is set, and stays out of the OpenAPI document', async () => {
    expect((await t.request('GET', '/metrics')).status).toBe(401);
    expect((await t.request('GET', '/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const spec = (await t.request('GET', '/docs/openapi.json')).json();
    expect(Object.keys(spec.paths)).not.toContain('/metrics');
  });

  it('labels HTTP durations with the route template, never the raw URL', () => {
    const count = (route: string, status: string) =>
      sampleValue(samples, 'aleflix_http_request_duration_seconds_count', { method: 'GET', route, status });
    expect(count('/titles', '200')).toBe(1);
    expect(count('/titles/:title', '404')).toBe(2);
    expect(count('unmatched', '404')).toBe(1);
    expect(
      sampleValue(samples, 'aleflix_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/auth/login',
        status: '200',
      }),
    ).toBeGreaterThan(0);
    const routes = new Set(samples.filter((s) => s.name.startsWith('aleflix_http_request')).map((s) => s.labels.route));
    expect([...routes].filter((route) => route && !route.startsWith('/') && route !== 'unmatched')).toEqual([]);
    expect([...routes].some((route) => route?.includes('no-such-title'))).toBe(false);
    expect(routes.has('/metrics')).toBe(false);
    expect(sampleValue(samples, 'aleflix_http_request_duration_seconds_bucket', { route: '/titles', le: '+Inf' })).toBe(
      1,
    );
  });

  it('counts session cache hits and misses, and the bytes of upload parts', () => {
    expect(sampleValue(samples, 'aleflix_cache_requests_total', { cache: 'session', result: 'miss' })).toBeGreaterThan(
      0,
    );
    expect(sampleValue(samples, 'aleflix_cache_requests_total', { cache: 'session', result: 'hit' })).toBeGreaterThan(
      0,
    );
    expect(sampleValue(samples, 'aleflix_upload_bytes_total', { via: 'api' })).toBe(upload.length);
  });

  it('observes a finished transcode once: duration, realtime factor, outcome', () => {
    expect(sampleValue(samples, 'aleflix_transcode_duration_seconds_count')).toBe(1);
    expect(sampleValue(samples, 'aleflix_transcode_duration_seconds_sum')).toBe(4);
    expect(sampleValue(samples, 'aleflix_transcode_realtime_factor_sum')).toBe(2.5);
    expect(sampleValue(samples, 'aleflix_transcode_realtime_factor_bucket', { le: '3' })).toBe(1);
    expect(sampleValue(samples, 'aleflix_transcode_realtime_factor_bucket', { le: '2' })).toBe(0);
    expect(sampleValue(samples, 'aleflix_jobs_finished_total', { status: 'succeeded' })).toBe(1);
  });

  it('reads jobs by status, queue depth and age, and dead letters when scraped', () => {
    expect(sampleValue(samples, 'aleflix_jobs', { status: 'succeeded' })).toBe(1);
    expect(sampleValue(samples, 'aleflix_jobs', { status: 'queued' })).toBe(0);
    expect(sampleValue(samples, 'aleflix_jobs', { status: 'failed' })).toBe(0);
    expect(sampleValue(samples, 'aleflix_queue_depth', { queue: 'transcode-jobs' })).toBe(1);
    expect(
      sampleValue(samples, 'aleflix_queue_oldest_message_age_seconds', { queue: 'transcode-jobs' }),
    ).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, 'aleflix_queue_depth', { queue: 'transcode-events' })).toBe(0);
    expect(sampleValue(samples, 'aleflix_queue_oldest_message_age_seconds', { queue: 'transcode-events' })).toBe(0);
    expect(sampleValue(samples, 'aleflix_dead_letter_messages', { queue: 'transcode-jobs' })).toBe(1);
    expect(sampleValue(samples, 'aleflix_dead_letter_messages', { queue: 'transcode-events' })).toBe(0);
  });

  it('includes the process metrics', () => {
    expect(sampleValue(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });
});
