import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { JobEvent } from '@aleflix/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { JobEventMessage } from '../src/events/events.dto.js';
import { JobEventsBus } from '../src/events/events.bus.js';
import { EventsGateway } from '../src/events/events.gateway.js';
import { EventsService } from '../src/events/events.service.js';
import { JobEventsService } from '../src/media/job-events.service.js';
import { UploadsService } from '../src/media/uploads.service.js';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';
import { createApiKey, createUser, patchUser } from './identity-helpers.js';
import { makeClip, putPart, randomFile, uploadWhole } from './media-helpers.js';

/** Only a guard against hanging forever; nothing waits for time to pass. */
const GUARD_MS = 90_000;

/** A WebSocket client that queues what it receives, so a test can await messages in order. */
class Subscriber {
  readonly received: JobEventMessage[] = [];
  private taken = 0;
  private wake: (() => void) | undefined;
  closed: { code: number; reason: string } | undefined;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.received.push(JSON.parse(data.toString()) as JobEventMessage);
      this.wake?.();
    });
    socket.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
      this.wake?.();
    });
  }

  /** The next message not taken yet. */
  async next(): Promise<JobEventMessage> {
    await this.until(() => this.received.length > this.taken || this.closed !== undefined);
    const message = this.received[this.taken];
    if (!message) throw new Error(`socket closed (${JSON.stringify(this.closed)}) before the next message`);
    this.taken++;
    return message;
  }

  /** Takes messages up to and including the first that matches. */
  async nextMatching(predicate: (message: JobEventMessage) => boolean): Promise<JobEventMessage[]> {
    const taken: JobEventMessage[] = [];
    for (;;) {
      const message = await this.next();
      taken.push(message);
      if (predicate(message)) return taken;
    }
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closed !== undefined);
    return this.closed!;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.socket.close();
    return this.waitClosed().then(() => undefined);
  }

  private until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error('no WebSocket message within the guard time')), GUARD_MS);
      this.wake = () => {
        if (!done()) return;
        clearTimeout(guard);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return `ws://127.0.0.1:${port}`;
}

function subscribe(
  base: string,
  query: Record<string, string>,
  headers: Record<string, string> = {},
  options: { autoPong?: boolean } = {},
): Promise<Subscriber> {
  const socket = new WebSocket(`${base}/events?${new URLSearchParams(query)}`, { headers, ...options });
  // Listen from the start: the snapshot may arrive in the same tick as the open event.
  const subscriber = new Subscriber(socket);
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(subscriber));
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused with ${response.statusCode}`)),
    );
    socket.once('error', reject);
  });
}

/** The HTTP answer to an upgrade the server refuses: status, content type and problem body. */
function refused(
  base: string,
  query: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string; body: { code: string; errors?: Array<{ field: string }> } }> {
  const socket = new WebSocket(`${base}/events?${new URLSearchParams(query)}`, { headers });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('error', () => undefined); // ws reports the refusal as an error too
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: String(response.headers['content-type']),
          body: JSON.parse(body) as { code: string },
        }),
      );
    });
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A job.progress message as the bus carries it: a marker that shows whether a stream is still open. */
function progressMessage(assetId: string, jobId: string, at: Date): JobEventMessage {
  return {
    v: 1,
    type: 'job.progress',
    assetId,
    jobId,
    attempt: 1,
    status: 'running',
    progress: 1,
    speed: null,
    etaSeconds: null,
    errorCode: null,
    errorMessage: null,
    at: at.toISOString(),
  };
}

describe.each(databaseTargets())('live job events on $name', (target) => {
  describe('with a real transcode (embedded worker)', () => {
    let t: TestApp;
    let base: string;
    let editor: string;
    const clipA = makeClip(2);
    const clipB = makeClip(2, '160x120');

    beforeAll(async () => {
      t = await createTestApp(target, { BACKGROUND_TASKS: 'true' });
      base = await listen(t);
      editor = (await t.userWithRole('editor')).token;
    });
    afterAll(() => t.close());

    /** Opens an upload (the asset exists, no job yet), so a subscriber can connect before anything happens. */
    async function openUpload(data: Buffer) {
      const created = await t.request('POST', '/uploads', {
        token: editor,
        body: { filename: 'clip.mp4', size: data.length, contentType: 'video/mp4' },
      });
      expect(created.status, created.body).toBe(201);
      const upload = created.json().upload as { id: string; assetId: string; partCount: number; partSize: number };
      return {
        assetId: upload.assetId,
        complete: async () => {
          for (let part = 1; part <= upload.partCount; part++) {
            const chunk = data.subarray((part - 1) * upload.partSize, part * upload.partSize);
            expect((await putPart(t, editor, upload.id, part, chunk)).status).toBe(200);
          }
          expect((await t.request('POST', `/uploads/${upload.id}/complete`, { token: editor })).status).toBe(200);
        },
      };
    }

    it('pushes started, progress and ready of the watched asset, in order, and nothing of another asset', async () => {
      const a = await openUpload(clipA);
      const b = await openUpload(clipB);
      const watchA = await subscribe(base, { assetId: a.assetId }, bearer(editor));
      const watchB = await subscribe(base, { assetId: b.assetId }, bearer(editor));
      try {
        await b.complete();
        await a.complete();
        const ofA = await watchA.nextMatching((message) => message.type === 'job.ready');
        await watchB.nextMatching((message) => message.type === 'job.ready' || message.type === 'job.failed');

        // B is done, so anything of B sent to A's socket was sent before this marker.
        const marker: JobEventMessage = { ...ofA.at(-1)!, type: 'job.progress', at: new Date().toISOString() };
        t.app.get(JobEventsBus).publish(marker);
        const rest = await watchA.nextMatching((message) => message.at === marker.at);
        expect(rest).toHaveLength(1);

        expect(ofA.every((message) => message.assetId === a.assetId && message.v === 1)).toBe(true);
        const types = ofA.map((message) => message.type);
        expect(types[0]).toBe('job.started');
        expect(types.at(-1)).toBe('job.ready');
        const middle = ofA.slice(1, -1);
        expect(middle.length).toBeGreaterThanOrEqual(1);
        expect(middle.every((message) => message.type === 'job.progress' && message.status === 'running')).toBe(true);
        const percents = middle.map((message) => message.progress);
        expect(percents).toEqual([...percents].sort((x, y) => x - y));
        expect(ofA.at(-1)).toMatchObject({ status: 'succeeded', progress: 100, errorCode: null, attempt: 1 });
        const asset = (await t.request('GET', `/assets/${a.assetId}`, { token: editor })).json();
        expect(asset).toMatchObject({ status: 'ready', job: { id: ofA[0]!.jobId, status: 'succeeded' } });
      } finally {
        await Promise.all([watchA.close(), watchB.close()]);
      }
    });

    it('sends a late subscriber the finished state first', async () => {
      const { assetId } = await uploadWhole(t, editor, makeClip(1, '160x120'));
      // Whatever happened before connecting, the snapshot comes first and later messages follow it.
      const early = await subscribe(base, { assetId }, bearer(editor));
      const first = await early.next();
      expect(first).toMatchObject({ type: 'snapshot', assetId, attempt: 1 });
      const history = [first, ...(await early.nextMatching((message) => message.status === 'succeeded'))];
      await early.close();
      expect(history.at(-1)).toMatchObject({ status: 'succeeded', progress: 100 });

      const late = await subscribe(base, { jobId: history.at(-1)!.jobId }, bearer(editor));
      expect(await late.next()).toMatchObject({
        v: 1,
        type: 'snapshot',
        assetId,
        jobId: history.at(-1)!.jobId,
        status: 'succeeded',
        progress: 100,
      });
      await late.close();
    });
  });

  describe('access, filters and delivery (events applied by the test)', () => {
    let t: TestApp;
    let base: string;
    let editor: string;
    let closed = false;

    beforeAll(async () => {
      t = await createTestApp(target);
      base = await listen(t);
      editor = (await t.userWithRole('editor')).token;
    });
    afterAll(async () => {
      if (!closed) await t.close();
    });

    /** An upload begun and never completed: its asset is `uploading` and has no job. */
    async function openUpload(): Promise<{ id: string; assetId: string }> {
      const created = await t.request('POST', '/uploads', {
        token: editor,
        body: { filename: 'clip.mp4', size: 1000, contentType: 'video/mp4' },
      });
      expect(created.status, created.body).toBe(201);
      return created.json().upload as { id: string; assetId: string };
    }

    async function queuedJob() {
      const { assetId } = await uploadWhole(t, editor, randomFile(1000));
      const asset = (await t.request('GET', `/assets/${assetId}`, { token: editor })).json();
      return { assetId, jobId: asset.job.id as string };
    }

    const event = (ids: { assetId: string; jobId: string }, body: Record<string, unknown>, attempt = 1) =>
      ({
        version: 1,
        attempt,
        workerId: 'test-worker',
        at: new Date().toISOString(),
        ...ids,
        ...body,
      }) as JobEvent;

    it('refuses upgrades without valid credentials with 401 problems', async () => {
      const ids = await queuedJob();
      const none = await refused(base, { assetId: ids.assetId });
      expect(none).toMatchObject({ status: 401, body: { code: 'authentication_required' } });
      expect(none.contentType).toMatch(/^application\/problem\+json/);
      const forged = editor.slice(0, -4) + (editor.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      expect(await refused(base, { assetId: ids.assetId }, bearer(forged))).toMatchObject({
        status: 401,
        body: { code: 'token_invalid' },
      });
      expect(await refused(base, { assetId: ids.assetId, access_token: 'not-a-jwt' })).toMatchObject({
        status: 401,
        body: { code: 'token_invalid' },
      });
      // Tokens expire on the API's clock.
      t.clock.advance(16 * 60_000);
      expect(await refused(base, { assetId: ids.assetId }, bearer(editor))).toMatchObject({
        status: 401,
        body: { code: 'token_expired' },
      });
      editor = (await t.userWithRole('editor')).token;
    });

    it('takes an access token in the query (browsers), an API key in a header, and no API key in the query', async () => {
      const ids = await queuedJob();
      const viaQuery = await subscribe(base, { jobId: ids.jobId, access_token: editor });
      expect(await viaQuery.next()).toMatchObject({ type: 'snapshot', jobId: ids.jobId, status: 'queued' });
      await viaQuery.close();

      const { key } = await createApiKey(t, editor, { role: 'editor' });
      const viaKey = await subscribe(base, { jobId: ids.jobId }, { 'x-api-key': key });
      expect(await viaKey.next()).toMatchObject({ type: 'snapshot', jobId: ids.jobId });
      await viaKey.close();
      expect(await refused(base, { jobId: ids.jobId, access_token: key })).toMatchObject({
        status: 401,
        body: { code: 'token_invalid' },
      });
    });

    it('refuses viewers (403), malformed filters (400) and unknown ids (404)', async () => {
      const ids = await queuedJob();
      const viewer = (await t.userWithRole('viewer')).token;
      expect(await refused(base, { assetId: ids.assetId }, bearer(viewer))).toMatchObject({
        status: 403,
        body: { code: 'forbidden' },
      });
      const invalid = await refused(base, { assetId: 'not-a-uuid' }, bearer(editor));
      expect(invalid).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      expect(invalid.body.errors?.map((error) => error.field)).toEqual(['assetId']);
      expect(await refused(base, { jobId: '00000000-0000-4000-8000-000000000000' }, bearer(editor))).toMatchObject({
        status: 404,
        body: { code: 'not_found' },
      });
      const otherAsset = await queuedJob();
      expect(await refused(base, { assetId: otherAsset.assetId, jobId: ids.jobId }, bearer(editor))).toMatchObject({
        status: 404,
      });
      // The same rules without an upgrade, through Nest's guard and pipe.
      expect((await t.request('GET', '/events', { token: viewer })).status).toBe(403);
      expect((await t.request('GET', '/events', { token: editor, query: { jobId: 'x' } })).status).toBe(400);
      // "Upgrade: websocket" without "Connection: Upgrade" is a plain request, checked and answered as one.
      const upgradeHeader = { upgrade: 'websocket' };
      expect((await t.request('GET', '/events', { headers: upgradeHeader })).status).toBe(401);
      const half = await t.request('GET', '/events', { token: editor, headers: upgradeHeader, query: ids });
      expect(half.status).toBe(200);
      expect(half.json().items).toEqual([expect.objectContaining({ type: 'snapshot', jobId: ids.jobId })]);
    });

    it('pushes an applied event once: duplicates, late progress and other attempts are not sent', async () => {
      const ids = await queuedJob();
      const other = await queuedJob();
      const watch = await subscribe(base, { assetId: ids.assetId }, bearer(editor));
      const everything = await subscribe(base, {}, bearer(editor));
      try {
        expect(await watch.next()).toMatchObject({ type: 'snapshot', jobId: ids.jobId, status: 'queued', progress: 0 });
        const events = t.app.get(JobEventsService);
        const started = event(ids, { type: 'started' });
        await events.apply(started);
        await events.apply(started);
        // Jobs in flight are read in one statement: running ones first, then the queued.
        const inFlight = (await t.request('GET', '/events', { token: editor })).json().items as JobEventMessage[];
        const statuses = inFlight.map((message) => message.status);
        expect(statuses).toEqual([...statuses].sort((a, b) => Number(a !== 'running') - Number(b !== 'running')));
        expect(inFlight.find((message) => message.jobId === ids.jobId)?.status).toBe('running');
        expect(inFlight.find((message) => message.jobId === other.jobId)?.status).toBe('queued');
        await events.apply(event(ids, { type: 'progress', percent: 99, speed: 1, etaSeconds: 1 }, 7));
        await events.apply(event(other, { type: 'started' }));
        const progress = event(ids, { type: 'progress', percent: 40, speed: 2.5, etaSeconds: 3 });
        await events.apply(progress);
        await events.apply(progress);
        await events.apply(event(ids, { type: 'progress', percent: 30, speed: 2.5, etaSeconds: 4 })); // late
        await events.apply(event(ids, { type: 'failed', code: 'transcode_failed', message: 'boom', retryable: false }));
        await events.apply(
          event(ids, { type: 'failed', code: 'transcode_failed', message: 'again', retryable: false }),
        );
        await events.apply(event(ids, { type: 'progress', percent: 60, speed: 2.5, etaSeconds: 2 }));

        const pushed = await watch.nextMatching((message) => message.type === 'job.failed');
        expect(pushed.map((message) => [message.type, message.status, message.progress])).toEqual([
          ['job.started', 'running', 0],
          ['job.progress', 'running', 40],
          ['job.failed', 'failed', 40],
        ]);
        expect(pushed[1]).toMatchObject({ speed: 2.5, etaSeconds: 3, attempt: 1 });
        expect(pushed[2]).toMatchObject({ errorCode: 'transcode_failed', errorMessage: 'boom' });

        // The unfiltered subscriber gets the active jobs first, then both assets' events.
        const all = await everything.nextMatching((message) => message.type === 'job.failed');
        const snapshot = all.filter((message) => message.type === 'snapshot').map((message) => message.jobId);
        expect(snapshot).toEqual(expect.arrayContaining([ids.jobId, other.jobId]));
        expect(all.filter((message) => message.type !== 'snapshot').map((m) => [m.jobId, m.type])).toEqual([
          [ids.jobId, 'job.started'],
          [other.jobId, 'job.started'],
          [ids.jobId, 'job.progress'],
          [ids.jobId, 'job.failed'],
        ]);

        // Without an upgrade, GET /events answers the same snapshot.
        const plain = await t.request('GET', '/events', { token: editor, query: { jobId: ids.jobId } });
        expect(plain.status).toBe(200);
        expect(plain.json().items).toEqual([
          expect.objectContaining({
            type: 'snapshot',
            jobId: ids.jobId,
            status: 'failed',
            errorCode: 'transcode_failed',
          }),
        ]);
      } finally {
        await Promise.all([watch.close(), everything.close()]);
      }
    });

    it('pushes asset.deleted once when an asset is deleted, with its job as the deletion left it', async () => {
      const ids = await queuedJob();
      // An asset still uploading has no job: deleting it sends no message, and ends its watchers' streams.
      const uploading = (await openUpload()).assetId;
      const byUploading = await subscribe(base, { assetId: uploading }, bearer(editor));
      const byAsset = await subscribe(base, { assetId: ids.assetId }, bearer(editor));
      const byJob = await subscribe(base, { jobId: ids.jobId }, bearer(editor));
      const everything = await subscribe(base, {}, bearer(editor));
      try {
        expect(await byAsset.next()).toMatchObject({ type: 'snapshot', status: 'queued' });
        expect(await byJob.next()).toMatchObject({ type: 'snapshot', status: 'queued' });
        const events = t.app.get(JobEventsService);
        await events.apply(event(ids, { type: 'progress', percent: 25, speed: 2, etaSeconds: 6 }));
        expect((await t.request('DELETE', `/assets/${uploading}`, { token: editor })).status).toBe(204);
        expect((await t.request('DELETE', `/assets/${ids.assetId}`, { token: editor })).status).toBe(204);
        const deletedAt = t.clock.now().toISOString();
        // Gone: a second delete is a 404, and the worker's late events change nothing and are not sent.
        expect((await t.request('DELETE', `/assets/${ids.assetId}`, { token: editor })).status).toBe(404);
        await events.apply(event(ids, { type: 'progress', percent: 50, speed: 2, etaSeconds: 3 }));
        await events.apply(
          event(ids, { type: 'failed', code: 'transcode_cancelled', message: 'source gone', retryable: false }),
        );

        const deleted: JobEventMessage = {
          v: 1,
          type: 'asset.deleted',
          assetId: ids.assetId,
          jobId: ids.jobId,
          attempt: 1,
          status: 'cancelled',
          progress: 25,
          speed: 2,
          etaSeconds: 6,
          errorCode: null,
          errorMessage: null,
          at: deletedAt,
        };
        for (const subscriber of [byAsset, byJob]) {
          const pushed = await subscriber.nextMatching((message) => message.type === 'asset.deleted');
          expect(pushed.map((message) => message.type)).toEqual(['job.progress', 'asset.deleted']);
          expect(pushed[1]).toEqual(deleted);
        }
        // A stream watching the asset ends right after it; one watching the uploading asset got nothing.
        expect(await byAsset.waitClosed()).toEqual({ code: 1000, reason: 'asset_deleted' });
        expect(await byUploading.waitClosed()).toEqual({ code: 1000, reason: 'asset_deleted' });
        expect(byUploading.received).toEqual([]);
        const all = await everything.nextMatching((message) => message.type === 'asset.deleted');
        expect(all.filter((message) => message.type !== 'snapshot').map((m) => [m.assetId, m.type])).toEqual([
          [ids.assetId, 'job.progress'],
          [ids.assetId, 'asset.deleted'],
        ]);

        // Nothing after it: a marker published now is the next message on every socket still open.
        const marker: JobEventMessage = { ...deleted, type: 'job.progress', at: new Date(0).toISOString() };
        t.app.get(JobEventsBus).publish(marker);
        for (const subscriber of [byJob, everything]) expect(await subscriber.next()).toEqual(marker);
      } finally {
        await Promise.all([byUploading.close(), byAsset.close(), byJob.close(), everything.close()]);
      }
    });

    it('ends the stream of an asset deleted between the upgrade check and the subscription', async () => {
      const ids = await queuedJob();
      const uploading = (await openUpload()).assetId;

      // Forces the race: each upgrade's asset is deleted right after its check passed, so the
      // deletion and its announcements land before the socket subscribes to the bus.
      const service = t.app.get(EventsService);
      const check = service.check.bind(service);
      service.check = async (filter) => {
        await check(filter);
        const deleted = await t.request('DELETE', `/assets/${filter.assetId}`, { token: editor });
        expect(deleted.status, deleted.body).toBe(204);
      };
      let byAsset: Subscriber | undefined;
      let byUploading: Subscriber | undefined;
      try {
        byAsset = await subscribe(base, { assetId: ids.assetId }, bearer(editor));
        byUploading = await subscribe(base, { assetId: uploading }, bearer(editor));
        service.check = check;

        // On a stream left open, a message published now comes next; on one that ended, none does.
        // One that still arrives proves the stream had started (it was held until then), so the
        // end must follow it before the next one.
        const bus = t.app.get(JobEventsBus);
        const publishUntilClosed = async (subscriber: Subscriber, assetId: string) => {
          const through: JobEventMessage[] = [];
          while (through.length < 2) {
            bus.publish(progressMessage(assetId, ids.jobId, new Date(0)));
            const message = await subscriber.next().catch(() => undefined);
            if (!message) break;
            through.push(message);
          }
          return through;
        };

        // The job as the deletion left it, then the end (its snapshot proves the stream started).
        expect(await byAsset.next()).toMatchObject({ type: 'snapshot', jobId: ids.jobId, status: 'cancelled' });
        expect(await publishUntilClosed(byAsset, ids.assetId)).toEqual([]);
        expect(byAsset.closed).toEqual({ code: 1000, reason: 'asset_deleted' });
        // An asset still uploading has no job, so no snapshot: just the end.
        expect((await publishUntilClosed(byUploading, uploading)).length).toBeLessThanOrEqual(1);
        expect(byUploading.closed).toEqual({ code: 1000, reason: 'asset_deleted' });
        expect(byUploading.received.filter((message) => message.type !== 'job.progress')).toEqual([]);
      } finally {
        service.check = check;
        await Promise.all([byAsset?.close(), byUploading?.close()]);
      }
    });

    it('ends a stream watching an upload that is aborted, or expires, before it completes', async () => {
      const aborted = await openUpload();
      const abandoned = await openUpload();
      const byAborted = await subscribe(base, { assetId: aborted.assetId }, bearer(editor));
      const byAbandoned = await subscribe(base, { assetId: abandoned.assetId }, bearer(editor));
      try {
        expect((await t.request('DELETE', `/uploads/${aborted.id}`, { token: editor })).status).toBe(204);
        expect(await byAborted.waitClosed()).toEqual({ code: 1000, reason: 'asset_deleted' });
        expect(byAbandoned.closed).toBeUndefined();
        // Abandoned: its expiry passed (moved back rather than the clock forward, which other tests share).
        await t.dataSource.query(`UPDATE uploads SET expires_at = $1 WHERE id = $2`, [
          new Date(t.clock.now().getTime() - 1000),
          abandoned.id,
        ]);
        expect(await t.app.get(UploadsService).expireStale()).toBeGreaterThanOrEqual(1);
        expect(await byAbandoned.waitClosed()).toEqual({ code: 1000, reason: 'asset_deleted' });
        expect([...byAborted.received, ...byAbandoned.received]).toEqual([]);
      } finally {
        await Promise.all([byAborted.close(), byAbandoned.close()]);
      }
    });

    it('cuts off a peer that stops answering pings', async () => {
      const ids = await queuedJob();
      const silent = await subscribe(base, { jobId: ids.jobId }, bearer(editor), { autoPong: false });
      await silent.next();
      const gateway = t.app.get(EventsGateway);
      gateway.heartbeat(); // ping
      gateway.heartbeat(); // no pong since: terminate
      expect((await silent.waitClosed()).code).toBe(1006);
    });

    it('closes open sockets with 1001 when the app shuts down, without hanging', async () => {
      const ids = await queuedJob();
      const open = await subscribe(base, { jobId: ids.jobId }, bearer(editor));
      await open.next();
      closed = true;
      await t.close();
      expect(await open.waitClosed()).toEqual({ code: 1001, reason: 'server_shutdown' });
    });
  });

  describe('sockets whose credentials stop passing', () => {
    let t: TestApp;
    let base: string;
    let gateway: EventsGateway;
    const sockets: Subscriber[] = [];

    beforeAll(async () => {
      // No periodic recheck during these tests (an hour): a socket closes because a change was
      // heard, or because the test itself asks for a recheck (expiry).
      t = await createTestApp(target, { EVENTS_RECHECK_SECONDS: '3600' });
      base = await listen(t);
      gateway = t.app.get(EventsGateway);
    });
    afterAll(async () => {
      await Promise.all(sockets.map((socket) => socket.close()));
      await t.close();
    });

    /** Every job (no filter), so each socket hears every marker. Closed after the file. */
    async function watch(query: Record<string, string>, headers: Record<string, string> = {}) {
      const socket = await subscribe(base, query, headers);
      sockets.push(socket);
      return socket;
    }

    /**
     * A recheck that starts after everything so far, then an event published after it: a
     * socket that gets the event was neither closed by that recheck nor by anything before.
     */
    async function expectOpen(...open: Subscriber[]): Promise<void> {
      await gateway.recheck();
      const marker = progressMessage(randomUUID(), randomUUID(), new Date());
      t.app.get(JobEventsBus).publish(marker);
      for (const socket of open) {
        expect((await socket.nextMatching((message) => message.jobId === marker.jobId)).at(-1)).toEqual(marker);
        expect(socket.closed).toBeUndefined();
      }
    }

    const apiKey = (key: string) => ({ 'x-api-key': key });

    it('closes the sockets of a session that signs out with 4001 token_invalid, and no others', async () => {
      const user = await createUser(t, 'editor');
      const otherSession = await t.login(user.email, user.password);
      const bystander = await createUser(t, 'editor');
      const byHeader = await watch({}, bearer(user.accessToken));
      const byQuery = await watch({ access_token: user.accessToken });
      const sameUserOtherSession = await watch({}, bearer(otherSession.accessToken));
      const otherUser = await watch({}, bearer(bystander.accessToken));
      await expectOpen(byHeader, byQuery, sameUserOtherSession, otherUser);

      const logout = await t.request('POST', '/auth/logout', { body: { refreshToken: user.refreshToken } });
      expect(logout.status).toBe(204);
      expect(await byHeader.waitClosed()).toEqual({ code: 4001, reason: 'token_invalid' });
      expect(await byQuery.waitClosed()).toEqual({ code: 4001, reason: 'token_invalid' });
      await expectOpen(sameUserOtherSession, otherUser);
    });

    it('closes the socket of a session revoked for refresh-token reuse with 4001 token_invalid', async () => {
      const user = await createUser(t, 'editor');
      const rotated = await t.request('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
      expect(rotated.status).toBe(200);
      const socket = await watch({}, bearer(rotated.json().accessToken));
      await expectOpen(socket);
      const reused = await t.request('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
      expect(reused.json()).toMatchObject({ code: 'refresh_token_reused' });
      expect(await socket.waitClosed()).toEqual({ code: 4001, reason: 'token_invalid' });
    });

    it('closes every socket of a disabled user with 4003 account_disabled, token and API key alike', async () => {
      const user = await createUser(t, 'editor');
      const { key } = await createApiKey(t, user.accessToken, { role: 'editor' });
      const bystander = await createUser(t, 'editor');
      const byToken = await watch({}, bearer(user.accessToken));
      const byKey = await watch({}, apiKey(key));
      const otherUser = await watch({}, bearer(bystander.accessToken));

      expect((await patchUser(t, user.id, { disabled: true })).status).toBe(200);
      expect(await byToken.waitClosed()).toEqual({ code: 4003, reason: 'account_disabled' });
      expect(await byKey.waitClosed()).toEqual({ code: 4003, reason: 'account_disabled' });
      await expectOpen(otherUser);
    });

    it('closes the socket of a revoked API key with 4001 token_invalid; its owner keeps the others', async () => {
      const user = await createUser(t, 'editor');
      const revoked = await createApiKey(t, user.accessToken, { role: 'editor' });
      const kept = await createApiKey(t, user.accessToken, { role: 'editor' });
      const byRevoked = await watch({}, apiKey(revoked.key));
      const byKept = await watch({}, apiKey(kept.key));
      const byToken = await watch({}, bearer(user.accessToken));
      await expectOpen(byRevoked, byKept, byToken);

      const deleted = await t.request('DELETE', `/auth/api-keys/${revoked.id}`, { token: user.accessToken });
      expect(deleted.status).toBe(204);
      expect(await byRevoked.waitClosed()).toEqual({ code: 4001, reason: 'token_invalid' });
      await expectOpen(byKept, byToken);
    });

    it('closes the sockets of an editor demoted to viewer with 4003 forbidden; a promotion closes nothing', async () => {
      const user = await createUser(t, 'editor');
      const { key } = await createApiKey(t, user.accessToken, { role: 'editor' });
      const promoted = await createUser(t, 'editor');
      const byToken = await watch({}, bearer(user.accessToken));
      const byKey = await watch({}, apiKey(key));
      const byPromoted = await watch({}, bearer(promoted.accessToken));

      expect((await patchUser(t, promoted.id, { role: 'admin' })).status).toBe(200);
      await expectOpen(byToken, byKey, byPromoted);
      expect((await patchUser(t, user.id, { role: 'viewer' })).status).toBe(200);
      expect(await byToken.waitClosed()).toEqual({ code: 4003, reason: 'forbidden' });
      expect(await byKey.waitClosed()).toEqual({ code: 4003, reason: 'forbidden' });
      await expectOpen(byPromoted);
    });

    // Last: it moves the app's clock past every token issued so far.
    it('closes a socket once its access token, or its API key, has expired (4001 token_expired)', async () => {
      const user = await createUser(t, 'editor');
      const { key } = await createApiKey(t, user.accessToken, { role: 'editor', expiresInDays: 1 });
      const byToken = await watch({}, bearer(user.accessToken));
      const byKey = await watch({}, apiKey(key));
      await expectOpen(byToken, byKey);

      t.clock.advance(16 * 60_000); // past the access token's 15 minutes
      await gateway.recheck();
      expect(await byToken.waitClosed()).toEqual({ code: 4001, reason: 'token_expired' });
      // The SDK's answer to that close: a fresh token, and a new socket.
      const renewed = await watch({}, bearer((await t.login(user.email, user.password)).accessToken));
      await expectOpen(byKey, renewed);

      t.clock.advance(24 * 60 * 60_000); // past the key's day
      await gateway.recheck();
      expect(await byKey.waitClosed()).toEqual({ code: 4001, reason: 'token_expired' });
    });
  });
});
