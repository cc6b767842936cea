import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from './database-targets.js';
import { makeClip, sha256 } from './media-helpers.js';
import { OtlpReceiver, SPAN_KIND, type CollectedSpan } from './otlp-receiver.js';
import { buildApi, killAll, startApi, waitUntilLive, within, type ApiProcess } from './process-harness.js';

/**
 * One ingest is one trace: the built API runs as a real process with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at a receiver inside this test, and the client sends
 * one `traceparent` on every request of the ingest, as the CLI would. The spans must show the
 * API's requests, the embedded worker's job (probe, encode, upload) as a descendant of the
 * request that queued it, and the API applying the worker's events, all in that one trace.
 * PostgreSQL (when TEST_DATABASE_URL is set) also shows the pg spans; PGlite has no driver to
 * instrument.
 */
const STARTUP_MS = 120_000;
const BANNER = /\n {2}AleFlix API +(http:\/\/\S+)\n/;
const ADMIN_PASSWORD = 'trace-test-admin-password';
const target = databaseTargets().at(-1)!;
const onPostgres = target.name === 'PostgreSQL';

const receiver = new OtlpReceiver();
const scratch = mkdtempSync(join(tmpdir(), 'aleflix-trace-'));
let build: Awaited<ReturnType<typeof buildApi>> | undefined;
let dispose: () => Promise<void> = async () => {};
let api: ApiProcess;
let base: string;

const traceId = randomBytes(16).toString('hex');
const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;

beforeAll(async () => {
  const [endpoint, built, database] = await Promise.all([receiver.start(), buildApi(), target.create()]);
  build = built;
  dispose = database.dispose;
  api = startApi(build.mainJs, {
    PORT: '0',
    HOST: '127.0.0.1',
    ALEFLIX_HOME: join(scratch, 'home'),
    ALEFLIX_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'info',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    // Export every 100 ms instead of 5 s, so the test does not wait for batches.
    OTEL_BSP_SCHEDULE_DELAY: '100',
    ...(database.database.kind === 'postgres' ? { DATABASE_URL: database.database.url } : {}),
  });
  base = (await api.waitForStdout(BANNER, STARTUP_MS))[1]!;
  await waitUntilLive(`${base}/health/live`, api, 30_000);
}, 400_000);

afterAll(async () => {
  killAll();
  await receiver.stop();
  await dispose();
  build?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

async function call(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      traceparent,
      ...(body !== undefined && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, json: () => JSON.parse(text), text };
}

/** Polls until `found` returns something, bounded by `ms`. */
async function eventually<T>(
  what: string,
  ms: number,
  found: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  return within(
    (async () => {
      for (;;) {
        const value = await found();
        if (value !== undefined) return value;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })(),
    ms,
    what,
  );
}

function ancestors(span: CollectedSpan, spans: CollectedSpan[]): CollectedSpan[] {
  const byId = new Map(spans.map((candidate) => [candidate.spanId, candidate]));
  const chain: CollectedSpan[] = [];
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) chain.push(parent);
  return chain;
}

describe(`one ingest is one trace (${target.name})`, { timeout: 300_000 }, () => {
  it('spans the API requests, the worker job with probe/encode/upload, and the events applied back', async () => {
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@aleflix.local', password: ADMIN_PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };

    const clip = makeClip(2);
    const created = await call('POST', '/uploads', accessToken, { filename: 'clip.mp4', size: clip.length });
    expect(created.status).toBe(201);
    const { upload } = created.json();
    expect(upload.partCount).toBe(1);
    const part = await call('PUT', `/uploads/${upload.id}/parts/1`, accessToken, clip, {
      'content-type': 'application/octet-stream',
      'x-part-sha256': sha256(clip),
    });
    expect(part.status).toBe(200);
    expect((await call('POST', `/uploads/${upload.id}/complete`, accessToken)).status).toBe(200);
    const assetId: string = upload.assetId;
    const asset = await eventually('asset ready', 180_000, async () => {
      const current = (await call('GET', `/assets/${assetId}`, accessToken)).json();
      return current.status === 'ready' || current.status === 'failed' ? current : undefined;
    });
    expect(asset.status).toBe('ready');

    // Batches arrive every 100 ms; wait for the last piece, the API applying `ready`.
    const spans = await eventually('the spans of the whole ingest', 30_000, () => {
      const inTrace = receiver.inTrace(traceId);
      return inTrace.some((span) => span.name === 'apply job ready') ? inTrace : undefined;
    });

    const server = spans.filter((span) => span.kind === SPAN_KIND.server);
    expect(server.map((span) => span.name)).toEqual(
      expect.arrayContaining(['POST /uploads', 'PUT /uploads/:id/parts/:partNumber', 'POST /uploads/:id/complete']),
    );
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(['aleflix-api']));

    const job = spans.find((span) => span.name === 'transcode job');
    expect(job, 'the worker job span').toBeDefined();
    expect(job!.kind).toBe(SPAN_KIND.consumer);
    expect(job!.attributes).toMatchObject({
      'aleflix.asset_id': assetId,
      'aleflix.attempt': 1,
      'aleflix.outcome': 'done',
    });
    // The job descends from the request that queued it.
    const complete = server.find((span) => span.name === 'POST /uploads/:id/complete')!;
    expect(ancestors(job!, spans).map((span) => span.spanId)).toContain(complete.spanId);

    const childrenOfJob = spans.filter((span) => span.parentSpanId === job!.spanId).map((span) => span.name);
    expect(childrenOfJob).toEqual(expect.arrayContaining(['download source', 'probe', 'encode', 'upload outputs']));
    const encode = spans.find((span) => span.name === 'encode')!;
    expect(encode.attributes).toMatchObject({
      'aleflix.asset_id': assetId,
      'aleflix.job_id': job!.attributes['aleflix.job_id'],
      'aleflix.renditions': ['240p'],
    });
    expect(encode.attributes['aleflix.realtime_factor']).toBeGreaterThan(0);
    expect(spans.find((span) => span.name === 'probe')!.attributes['aleflix.media.duration_seconds']).toBeGreaterThan(
      1,
    );

    // Back in the API: the events the worker sent continue the job's trace.
    const applied = spans.filter((span) => span.name.startsWith('apply job '));
    expect(applied.map((span) => span.name)).toEqual(expect.arrayContaining(['apply job started', 'apply job ready']));
    for (const span of applied) expect(ancestors(span, spans).map((a) => a.spanId)).toContain(job!.spanId);

    if (onPostgres) {
      const queries = spans.filter((span) => span.scope === '@opentelemetry/instrumentation-pg');
      expect(queries.length).toBeGreaterThan(0);
      const ready = applied.find((span) => span.name === 'apply job ready')!;
      expect(queries.some((query) => ancestors(query, spans).some((a) => a.spanId === ready.spanId))).toBe(true);
    }

    // The logs of the ingest carry the same trace id, in the API and in its worker.
    const lines = api
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const traced = lines.filter((line) => line.trace_id === traceId);
    // The embedded worker writes its fields into the message text (Nest's logger interface).
    const messages = traced.map((line) => String(line.msg).split(' {')[0]);
    expect(messages).toEqual(expect.arrayContaining(['request completed', 'transcode: done', 'transcoded']));
    expect(traced.find((line) => line.msg === 'request completed')).toMatchObject({
      request_id: expect.any(String),
      span_id: expect.stringMatching(/^[\da-f]{16}$/),
    });
  });
});
