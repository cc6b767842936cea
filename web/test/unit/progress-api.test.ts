// The API progress backend against the proposed endpoints, through the real SDK client.
import { createClient } from '@aleflix/sdk';
import { describe, expect, it } from 'vitest';
import { createApiProgressBackend, probeProgressApi } from '~/utils/progress-api';
import { problem, progressInput, recordingFetch } from './fixtures';

const apiEntry = {
  mediaId: 'm1',
  titleId: 'm1',
  episodeId: null,
  positionSeconds: 42.5,
  durationSeconds: 600,
  completed: false,
  updatedAt: '2026-11-01T10:00:00.000Z',
  title: { id: 'm1', slug: 'heat', name: 'Heat', kind: 'movie', posterRef: null },
  episode: null,
};

function client(handler: Parameters<typeof recordingFetch>[0]) {
  const recorder = recordingFetch(handler);
  return { ...recorder, client: createClient({ baseUrl: 'http://api.test', token: 'access', fetch: recorder.fetch }) };
}

describe('API progress backend', () => {
  it('reads, writes, lists and deletes progress at /me/progress', async () => {
    const { client: sdk, calls } = client((method, url) => {
      if (method === 'GET' && url.pathname === '/me/progress')
        return Response.json({ items: [apiEntry], nextCursor: null });
      if (method === 'DELETE') return new Response(null, { status: 204 });
      return Response.json(apiEntry);
    });
    const backend = createApiProgressBackend(sdk);
    expect(await backend.get('m1')).toEqual(apiEntry);
    expect(await backend.put(progressInput('m1', 42.4567, 600))).toEqual(apiEntry);
    expect(await backend.continueWatching(12)).toEqual([apiEntry]);
    await backend.remove('m1');

    expect(calls.map((call) => `${call.method} ${call.url.pathname}${call.url.search}`)).toEqual([
      'GET /me/progress/m1',
      'PUT /me/progress/m1',
      'GET /me/progress?limit=12',
      'DELETE /me/progress/m1',
    ]);
    expect(calls[1]!.body).toEqual({ positionSeconds: 42.5, durationSeconds: 600 });
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer access');
  });

  it('treats a 404 not_found as "no progress" and other errors as errors', async () => {
    const missing = createApiProgressBackend(client(() => problem(404, 'not_found')).client);
    expect(await missing.get('m1')).toBeNull();
    const forbidden = createApiProgressBackend(client(() => problem(403, 'forbidden')).client);
    await expect(forbidden.get('m1')).rejects.toMatchObject({ status: 403 });
  });

  it('probes whether the API has the endpoints yet', async () => {
    expect(await probeProgressApi(client(() => problem(404, 'route_not_found')).client)).toBe(false);
    expect(await probeProgressApi(client(() => Response.json({ items: [], nextCursor: null })).client)).toBe(true);
  });
});
