import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AleflixApiError,
  AleflixNetworkError,
  createClient,
  type JobEventMessage,
  type TokenPair,
} from '../src/index.js';
import { ASSET_ID, EventsServer, JOB_ID, message } from './events-server.js';
import { problem, tokenPair } from './fake-fetch.js';

// Reconnects without waiting, so nothing here depends on time passing.
const now = { reconnect: { baseDelayMs: 0 } };

let server: EventsServer;
let baseUrl: string;

beforeEach(async () => {
  server = new EventsServer();
  baseUrl = await server.start();
});
afterEach(() => server.stop());

async function collect(
  stream: AsyncIterable<JobEventMessage>,
  until: (message: JobEventMessage) => boolean,
): Promise<JobEventMessage[]> {
  const received: JobEventMessage[] = [];
  for await (const item of stream) {
    received.push(item);
    if (until(item)) break;
  }
  return received;
}

describe('events.subscribe', () => {
  it('sends the credentials in headers, yields typed messages in order and skips what it does not know', async () => {
    server.onConnection = (socket) => {
      socket.send(JSON.stringify(message('snapshot')));
      socket.send(JSON.stringify({ ...message('job.progress'), type: 'job.paused' }));
      socket.send(JSON.stringify({ ...message('job.progress'), v: 2 }));
      socket.send('not json');
      socket.send(JSON.stringify(message('job.progress', { progress: 50, speed: 2, etaSeconds: 3 })));
      socket.send(JSON.stringify(message('job.ready')));
    };
    const client = createClient({ baseUrl, token: 'tok' });
    const received = await collect(client.events.subscribe({ assetId: ASSET_ID }, now), (m) => m.type === 'job.ready');

    expect(received.map((m) => [m.type, m.progress])).toEqual([
      ['snapshot', 0],
      ['job.progress', 50],
      ['job.ready', 100],
    ]);
    expect(server.upgrades).toEqual([
      { url: `/events?assetId=${ASSET_ID}`, authorization: 'Bearer tok', apiKey: undefined },
    ]);
    // Breaking out of the loop closes the socket normally.
    expect(await server.closesSeen(1)).toEqual([1000]);
  });

  it('uses an API key as X-API-Key', async () => {
    server.onConnection = (socket) => socket.send(JSON.stringify(message('snapshot')));
    const client = createClient({ baseUrl, apiKey: 'alx_key' });
    await collect(client.events.subscribe({ jobId: JOB_ID }), () => true);
    expect(server.upgrades[0]).toEqual({ url: `/events?jobId=${JOB_ID}`, authorization: undefined, apiKey: 'alx_key' });
  });

  it('reconnects after the connection drops and starts again from a snapshot', async () => {
    server.onConnection = (socket, index) => {
      socket.send(JSON.stringify(message('snapshot', { progress: index * 10 })));
      if (index < 2) socket.terminate();
      else socket.send(JSON.stringify(message('job.ready')));
    };
    const client = createClient({ baseUrl, token: 'tok' });
    const onOpen = vi.fn();
    const stream = client.events.subscribe({ assetId: ASSET_ID }, { ...now, onOpen });
    const received = await collect(stream, (m) => m.type === 'job.ready');
    expect(onOpen).toHaveBeenCalledTimes(3);
    expect(received.map((m) => `${m.type}:${m.progress}`)).toEqual([
      'snapshot:0',
      'snapshot:10',
      'snapshot:20',
      'job.ready:100',
    ]);
    expect(server.upgrades).toHaveLength(3);
    expect(server.requests).toEqual([]); // it was connected each time: nothing to diagnose
  });

  it('reconnects when the server goes away (1001)', async () => {
    server.onConnection = (socket, index) => {
      if (index === 0) socket.close(1001, 'server_shutdown');
      else socket.send(JSON.stringify(message('job.ready')));
    };
    const client = createClient({ baseUrl, token: 'tok' });
    const received = await collect(client.events.subscribe({}, now), () => true);
    expect(received.map((m) => m.type)).toEqual(['job.ready']);
    expect(server.upgrades.map((upgrade) => upgrade.url)).toEqual(['/events', '/events']);
  });

  it('ends without an error when its signal aborts, closing the socket', async () => {
    const controller = new AbortController();
    server.onConnection = (socket) => socket.send(JSON.stringify(message('snapshot')));
    const client = createClient({ baseUrl, token: 'tok' });
    const received: JobEventMessage[] = [];
    for await (const item of client.events.subscribe({ assetId: ASSET_ID }, { signal: controller.signal })) {
      received.push(item);
      // Abort while the iterator waits for a message that never comes.
      setImmediate(() => controller.abort());
    }
    expect(received.map((m) => m.type)).toEqual(['snapshot']);
    expect(await server.closesSeen(1)).toEqual([1000]);
  });

  it('throws the problem the API answers when the upgrade is refused for good', async () => {
    server.onUpgrade = () => problem(403, 'forbidden');
    server.onRequest = () => problem(403, 'forbidden');
    const client = createClient({ baseUrl, token: 'viewer-token' });
    const error = await collect(client.events.subscribe({ assetId: ASSET_ID }, now), () => true).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AleflixApiError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden' });
    expect(server.upgrades).toHaveLength(1);
    expect(server.requests).toEqual([
      { method: 'GET', url: `/events?assetId=${ASSET_ID}`, authorization: 'Bearer viewer-token', apiKey: undefined },
    ]);
  });

  it('renews an expired access token and reconnects with the new one', async () => {
    const valid = (authorization: string | undefined) => authorization === 'Bearer access-1';
    server.onUpgrade = (request) => (valid(request.headers.authorization) ? undefined : problem(401, 'token_expired'));
    server.onRequest = (request) => {
      if (request.url === '/auth/refresh') return Response.json(tokenPair(1));
      return valid(request.headers.authorization) ? Response.json({ items: [] }) : problem(401, 'token_expired');
    };
    server.onConnection = (socket) => socket.send(JSON.stringify(message('snapshot')));
    const onTokens = vi.fn<(pair: TokenPair) => void>();
    const client = createClient({ baseUrl, token: 'expired', refreshToken: 'refresh-0', onTokens });

    const received = await collect(client.events.subscribe({ assetId: ASSET_ID }), () => true);
    expect(received.map((m) => m.type)).toEqual(['snapshot']);
    // Node's WebSocket (undici's fetch) may send a request answered 401 a second time by itself.
    const used = server.upgrades.map((upgrade) => upgrade.authorization);
    expect(used.at(-1)).toBe('Bearer access-1');
    expect(new Set(used.slice(0, -1))).toEqual(new Set(['Bearer expired']));
    expect(server.requests.map((request) => `${request.method} ${request.url.split('?')[0]}`)).toEqual([
      'GET /events',
      'POST /auth/refresh',
      'GET /events',
    ]);
    expect(onTokens).toHaveBeenCalledTimes(1);
  });

  it('renews the access token and reconnects at once when the server closes with 4001 token_expired', async () => {
    server.onConnection = (socket, index) => {
      if (index === 0) socket.close(4001, 'token_expired');
      else socket.send(JSON.stringify(message('job.ready')));
    };
    server.onRequest = (request) =>
      request.url === '/auth/refresh' ? Response.json(tokenPair(1)) : problem(500, 'internal_error');
    const onTokens = vi.fn<(pair: TokenPair) => void>();
    const client = createClient({ baseUrl, token: 'access-0', refreshToken: 'refresh-0', onTokens });

    // No `now`: a renewed token reconnects without any backoff.
    const received = await collect(client.events.subscribe({ assetId: ASSET_ID }), () => true);
    expect(received.map((m) => m.type)).toEqual(['job.ready']);
    expect(server.upgrades.map((upgrade) => upgrade.authorization)).toEqual(['Bearer access-0', 'Bearer access-1']);
    // Straight to the refresh: no GET /events to ask why.
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['POST /auth/refresh']);
    expect(onTokens).toHaveBeenCalledTimes(1);
  });

  it('ends with the 401 when the server closes with 4001 token_invalid (session ended, key revoked)', async () => {
    server.onConnection = (socket) => socket.close(4001, 'token_invalid');
    server.onRequest = (request) =>
      request.url === '/auth/refresh' ? Response.json(tokenPair(1)) : problem(401, 'token_invalid');
    const client = createClient({ baseUrl, token: 'revoked', refreshToken: 'refresh-0' });
    const error = await collect(client.events.subscribe({ assetId: ASSET_ID }, now), () => true).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AleflixApiError);
    expect(error).toMatchObject({ status: 401, code: 'token_invalid' });
    expect(server.upgrades).toHaveLength(1);
    // It asked the API why (the typed error is the API's answer), and did not try to refresh.
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      `GET /events?assetId=${ASSET_ID}`,
    ]);
  });

  it.each(['account_disabled', 'forbidden'])('ends with the 403 when the server closes with 4003 %s', async (code) => {
    server.onConnection = (socket) => socket.close(4003, code);
    server.onRequest = () => problem(403, code);
    const client = createClient({ baseUrl, token: 'tok' });
    const error = await collect(client.events.subscribe({}, now), () => true).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AleflixApiError);
    expect(error).toMatchObject({ status: 403, code });
    expect(server.upgrades).toHaveLength(1);
  });

  it('ends with the 401 when an API key expires while connected (4001 token_expired: nothing to renew)', async () => {
    server.onConnection = (socket) => socket.close(4001, 'token_expired');
    server.onRequest = () => problem(401, 'token_expired');
    const client = createClient({ baseUrl, apiKey: 'alx_key' });
    const error = await collect(client.events.subscribe({}, now), () => true).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AleflixApiError);
    expect(error).toMatchObject({ status: 401, code: 'token_expired' });
    expect(server.upgrades).toHaveLength(1);
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /events']);
  });

  it('keeps trying while the API is unreachable or failing, until it answers', async () => {
    server.onUpgrade = () => (server.upgrades.length < 3 ? problem(503, 'service_unavailable') : undefined);
    server.onRequest = () => problem(503, 'service_unavailable');
    server.onConnection = (socket) => socket.send(JSON.stringify(message('snapshot')));
    const client = createClient({ baseUrl, token: 'tok', retry: { attempts: 1 } });
    const received = await collect(client.events.subscribe({}, now), () => true);
    expect(received.map((m) => m.type)).toEqual(['snapshot']);
    expect(server.upgrades).toHaveLength(3);
  });

  it('gives up with a network error when WebSockets never get through but plain HTTP does (a proxy)', async () => {
    server.onUpgrade = () => new Response('proxies do not speak WebSocket', { status: 400 });
    const client = createClient({ baseUrl, token: 'tok' });
    const error = await collect(client.events.subscribe({}, now), () => true).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AleflixNetworkError);
    expect(String(error)).toMatch(/WebSocket upgrade failed 5 times in a row while plain HTTP works/);
    expect(server.upgrades).toHaveLength(5);
  });
});

describe('events.snapshot', () => {
  it('GETs /events without upgrading', async () => {
    server.onRequest = () => Response.json({ items: [message('snapshot')] });
    const client = createClient({ baseUrl, token: 'tok' });
    expect((await client.events.snapshot({ jobId: JOB_ID })).items).toEqual([message('snapshot')]);
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: `/events?jobId=${JOB_ID}` });
  });
});
