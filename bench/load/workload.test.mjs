import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE, createWorkload, issuedByClass, MIX, seededRandom } from './workload.mjs';

const catalog = {
  viewerToken: 'viewer-token',
  editorToken: 'editor-token',
  slugs: ['a', 'b', 'c'],
  genres: ['drama', 'comedy'],
  years: [1999, 2001],
  searchWords: ['river', 'night'],
  playableIds: ['p1', 'p2'],
  writableTitleIds: ['w1', 'w2', 'w3'],
};

const take = (workload, count) => Array.from({ length: count }, () => workload.next());

describe('createWorkload', () => {
  it('keeps browse 90 %, playback 9 %, writes 1 % exactly in every block of 100', () => {
    expect(BLOCK_SIZE).toBe(100);
    const workload = createWorkload(catalog);
    const requests = take(workload, 1000);
    expect(issuedByClass(workload.issued)).toEqual({ browse: 900, playback: 90, write: 10 });
    for (const [kind, count] of Object.entries(MIX)) expect(workload.issued[kind]).toBe(count * 10);
    expect(requests.slice(0, 100).filter((request) => request.kind === 'write')).toHaveLength(1);
  });

  it('builds real API requests with the right token for each', () => {
    const requests = take(createWorkload(catalog), 400);
    for (const request of requests) {
      if (request.method === 'GET') expect(request.headers.authorization).toBe('Bearer viewer-token');
      if (request.kind === 'playback') expect(request.path).toMatch(/^\/media\/stream\/p[12]$/);
      if (request.kind === 'titlePage') expect(request.path).toMatch(/^\/titles\/[abc]$/);
      if (request.kind.startsWith('list') || request.kind === 'search')
        expect(request.path).toMatch(/^\/titles\?limit=\d+/);
    }
    const writes = requests.filter((request) => request.kind === 'write');
    expect(writes.map((write) => write.method)).toEqual(['PATCH', 'PUT', 'PATCH', 'PUT']);
    expect(writes[0]).toMatchObject({
      path: '/titles/w1',
      headers: { authorization: 'Bearer editor-token', 'if-match': '*' },
    });
    expect(writes[1]).toMatchObject({
      headers: { authorization: 'Bearer viewer-token', 'content-type': 'application/json' },
    });
    expect(writes[1].path).toMatch(/^\/me\/progress\/p[12]$/);
    expect(JSON.parse(writes[1].body)).toEqual({ positionSeconds: 2, durationSeconds: 600 });
    // Title writes take the titles in turn, so two never race for one version.
    expect(writes[2].path).toBe('/titles/w2');
  });

  it('is the same sequence for the same seed and another for another seed', () => {
    const paths = (seed) => take(createWorkload({ ...catalog, seed }), 50).map((request) => request.path);
    expect(paths(3)).toEqual(paths(3));
    expect(paths(3)).not.toEqual(paths(4));
  });

  it('refuses an empty catalog rather than sending nonsense', () => {
    expect(() => createWorkload({ ...catalog, playableIds: [] })).toThrow(/playableIds/);
  });
});

describe('seededRandom', () => {
  it('gives numbers in [0, 1)', () => {
    const random = seededRandom(42);
    for (let i = 0; i < 1000; i += 1) {
      const value = random();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});
