import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';

function expectProblem(
  response: { status: number; headers: Record<string, unknown>; json(): any },
  status: number,
  code: string,
) {
  expect({ status: response.status, code: response.json().code }).toEqual({ status, code });
  expect(String(response.headers['content-type'])).toContain('application/problem+json');
}

describe.each(databaseTargets())('titles on $name', (target) => {
  let t: TestApp;
  let editor: string;
  let viewer: string;

  beforeAll(async () => {
    t = await createTestApp(target);
    editor = (await t.userWithRole('editor')).token;
    viewer = (await t.userWithRole('viewer')).token;
  });
  afterAll(() => t.close());

  const create = (body: Record<string, unknown>, token = editor) => t.request('POST', '/titles', { token, body });

  it('creates a movie with a slug from its name and an ETag', async () => {
    const response = await create({
      kind: 'movie',
      name: 'Cidade de Deus',
      synopsis: 'Dois meninos crescem no Rio.',
      year: 2002,
      genres: ['Drama', 'crime'],
    });
    expect(response.status).toBe(201);
    const title = response.json();
    expect(title).toMatchObject({
      slug: 'cidade-de-deus',
      kind: 'movie',
      status: 'draft',
      genres: ['drama', 'crime'],
      version: 1,
      metadata: {},
    });
    expect(response.headers.etag).toBe('"v1"');
  });

  it('gives a second title with the same name the next free slug, and keeps slugs stable on rename', async () => {
    const first = (await create({ kind: 'movie', name: 'Twin Peaks' })).json();
    const second = (await create({ kind: 'movie', name: 'Twin  Peaks!' })).json();
    expect([first.slug, second.slug]).toEqual(['twin-peaks', 'twin-peaks-2']);
    const renamed = await t.request('PATCH', `/titles/${second.id}`, {
      token: editor,
      headers: { 'if-match': '"v1"' },
      body: { name: 'Twin Peaks: The Return' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json().slug).toBe('twin-peaks-2');
  });

  it('rejects an explicit slug or externalId that is taken with 409 and its own code', async () => {
    await create({ kind: 'movie', name: 'Unique One', slug: 'unique-one', externalId: 'ext-unique' });
    expectProblem(await create({ kind: 'movie', name: 'Other', slug: 'unique-one' }), 409, 'slug_taken');
    expectProblem(await create({ kind: 'movie', name: 'Other', externalId: 'ext-unique' }), 409, 'external_id_taken');
  });

  it('requires If-Match on PATCH and refuses a stale ETag with 412', async () => {
    const { id } = (await create({ kind: 'movie', name: 'Locked' })).json();
    expectProblem(
      await t.request('PATCH', `/titles/${id}`, { token: editor, body: { year: 1999 } }),
      428,
      'precondition_required',
    );
    const first = await t.request('PATCH', `/titles/${id}`, {
      token: editor,
      headers: { 'if-match': '"v1"' },
      body: { year: 1999 },
    });
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe('"v2"');
    // A second editor still holding v1 cannot overwrite.
    expectProblem(
      await t.request('PATCH', `/titles/${id}`, {
        token: editor,
        headers: { 'if-match': '"v1"' },
        body: { year: 2001 },
      }),
      412,
      'precondition_failed',
    );
    const current = await t.request('GET', `/titles/${id}`, { token: editor });
    expect(current.json().year).toBe(1999);
  });

  it('hides drafts from viewers (404) and shows them to editors', async () => {
    const draft = (await create({ kind: 'movie', name: 'Secret Draft' })).json();
    expectProblem(await t.request('GET', `/titles/${draft.id}`, { token: viewer }), 404, 'not_found');
    expectProblem(await t.request('GET', `/titles/${draft.slug}`, { token: viewer }), 404, 'not_found');
    expect((await t.request('GET', `/titles/${draft.slug}`, { token: editor })).status).toBe(200);
    const asViewer = await t.request('GET', '/titles', { token: viewer, query: { status: 'draft' } });
    expect(asViewer.json().items).toEqual([]);
    const listed = (await t.request('GET', '/titles', { token: viewer, query: { limit: '100' } })).json().items;
    expect(listed.every((title: any) => title.status === 'published')).toBe(true);
  });

  it('publishes a title, stamps publishedAt, and then viewers can read it', async () => {
    const { id } = (await create({ kind: 'movie', name: 'Going Public' })).json();
    const published = await t.request('PATCH', `/titles/${id}`, {
      token: editor,
      headers: { 'if-match': '"v1"' },
      body: { status: 'published' },
    });
    expect(published.json().publishedAt).not.toBeNull();
    expect((await t.request('GET', `/titles/${id}`, { token: viewer })).status).toBe(200);
  });

  it('refuses writes from viewers with 403 and anonymous calls with 401', async () => {
    expectProblem(await create({ kind: 'movie', name: 'Nope' }, viewer), 403, 'forbidden');
    expectProblem(await t.request('GET', '/titles'), 401, 'authentication_required');
  });

  it('upserts by externalId idempotently', async () => {
    const body = { kind: 'series', name: 'Sintonia', synopsis: 'Três amigos em São Paulo.', status: 'published' };
    const first = await t.request('PUT', '/titles/by-external-id/netflix-sintonia', { token: editor, body });
    expect(first.status).toBe(201);
    const again = await t.request('PUT', '/titles/by-external-id/netflix-sintonia', { token: editor, body });
    expect(again.status).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    expect(again.json().version).toBe(1);
    const changed = await t.request('PUT', '/titles/by-external-id/netflix-sintonia', {
      token: editor,
      body: { ...body, year: 2019 },
    });
    expect(changed.json()).toMatchObject({ year: 2019, version: 2, externalId: 'netflix-sintonia' });
    expectProblem(
      await t.request('PUT', '/titles/by-external-id/netflix-sintonia', {
        token: editor,
        body: { ...body, kind: 'movie' },
      }),
      409,
      'conflict',
    );
  });

  it('manages seasons and episodes of a series and bumps the title ETag', async () => {
    const series = (await create({ kind: 'series', name: 'Dark', status: 'published' })).json();
    const season = await t.request('PUT', `/titles/${series.id}/seasons/1`, {
      token: editor,
      body: { name: 'Season 1' },
    });
    expect(season.status).toBe(201);
    const episode = await t.request('PUT', `/titles/${series.slug}/seasons/1/episodes/1`, {
      token: editor,
      body: { name: 'Secrets', externalId: 'dark-s01e01' },
    });
    expect(episode.status).toBe(201);
    await t.request('PUT', `/titles/${series.slug}/seasons/2/episodes/1`, {
      token: editor,
      body: { name: 'Beginnings and Endings' },
    });
    const again = await t.request('PUT', `/titles/${series.slug}/seasons/1/episodes/1`, {
      token: editor,
      body: { name: 'Secrets', externalId: 'dark-s01e01' },
    });
    expect(again.status).toBe(200);
    const detail = await t.request('GET', `/titles/${series.slug}`, { token: viewer });
    expect(detail.json().seasons.map((s: any) => [s.number, s.episodes.map((e: any) => e.name)])).toEqual([
      [1, ['Secrets']],
      [2, ['Beginnings and Endings']],
    ]);
    expect(Number(String(detail.headers.etag).replace(/\D/g, ''))).toBeGreaterThan(1);
    expect((await t.request('DELETE', `/titles/${series.id}/seasons/2/episodes/1`, { token: editor })).status).toBe(
      204,
    );
    expectProblem(
      await t.request('DELETE', `/titles/${series.id}/seasons/2/episodes/1`, { token: editor }),
      404,
      'not_found',
    );
    expect((await t.request('DELETE', `/titles/${series.id}/seasons/2`, { token: editor })).status).toBe(204);
    const movie = (await create({ kind: 'movie', name: 'No Seasons' })).json();
    expectProblem(
      await t.request('PUT', `/titles/${movie.id}/seasons/1`, { token: editor, body: {} }),
      409,
      'conflict',
    );
    expectProblem(
      await t.request('PUT', `/titles/${series.id}/seasons/-1`, { token: editor, body: {} }),
      400,
      'validation_failed',
    );
  });

  it('lists each title exactly as its own page shows it', async () => {
    const full = await create({
      kind: 'series',
      name: 'Lista Ç Igual',
      // Escaping is done by the database for lists and by JSON.stringify for pages.
      synopsis: 'Séries e “aspas” — iguais na lista e na página.\nBarra \\ e "aspas" retas 🎬 </script>',
      year: 1999,
      genres: ['drama', 'crime'],
      tags: ['ç', 'ok'],
      maturityRating: '16',
      originalLanguage: 'pt-BR',
      externalId: 'list-equals-detail',
      posterRef: 'posters/lista.jpg',
      backdropRef: 'backdrops/lista.jpg',
      metadata: { awards: [{ name: 'Kikito', year: 2000 }], nested: { ok: true, n: 1.5 }, ü: null },
      status: 'published',
    });
    const draft = await create({ kind: 'movie', name: 'Lista Rascunho' });
    for (const created of [full, draft]) {
      expect(created.status).toBe(201);
      const id = created.json().id;
      const { seasons: _seasons, ...detail } = (await t.request('GET', `/titles/${id}`, { token: editor })).json();
      const listed = (await t.request('GET', '/titles?limit=100', { token: editor }))
        .json()
        .items.find((item: { id: string }) => item.id === id);
      expect(listed).toEqual(detail);
      expect(listed.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });

  it('deletes a title, honouring If-Match when given', async () => {
    const { id } = (await create({ kind: 'movie', name: 'Doomed' })).json();
    expectProblem(
      await t.request('DELETE', `/titles/${id}`, { token: editor, headers: { 'if-match': '"v9"' } }),
      412,
      'precondition_failed',
    );
    expect(
      (await t.request('DELETE', `/titles/${id}`, { token: editor, headers: { 'if-match': '"v1"' } })).status,
    ).toBe(204);
    expectProblem(await t.request('GET', `/titles/${id}`, { token: editor }), 404, 'not_found');
  });
});

describe.each(databaseTargets())('concurrent catalog reads on $name (uncached)', (target) => {
  let t: TestApp;
  let editor: string;
  let viewer: string;

  beforeAll(async () => {
    // No response cache: every list read goes to the database, so reads are in flight while
    // writes commit, which is when sharing them could go wrong.
    t = await createTestApp(target, { CACHE_TTL_SECONDS: '0' });
    editor = (await t.userWithRole('editor')).token;
    viewer = (await t.userWithRole('viewer')).token;
  });
  afterAll(() => t.close());

  it('shares concurrent list reads, yet a read sent after a write always sees it', async () => {
    let reading = true;
    const readers = Array.from({ length: 8 }, async () => {
      while (reading) {
        expect((await t.request('GET', '/titles?limit=50', { token: viewer })).status).toBe(200);
        // A shared answer can complete without I/O; let the writer's I/O run between reads.
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    try {
      for (let round = 0; round < 10; round++) {
        const created = await t.request('POST', '/titles', {
          token: editor,
          body: { kind: 'movie', name: `Concurrent Read ${round}`, status: 'published' },
        });
        expect(created.status).toBe(201);
        const id = created.json().id;
        const answers = await Promise.all(
          Array.from({ length: 8 }, () => t.request('GET', '/titles?limit=50', { token: viewer })),
        );
        for (const answer of answers) {
          expect(answer.json().items.map((item: { id: string }) => item.id)).toContain(id);
        }
      }
    } finally {
      reading = false;
      await Promise.all(readers);
    }
  });
});

describe.each(databaseTargets())('catalog search and pagination on $name', (target) => {
  let t: TestApp;
  let editor: string;
  let viewer: string;

  beforeAll(async () => {
    t = await createTestApp(target);
    editor = (await t.userWithRole('editor')).token;
    viewer = (await t.userWithRole('viewer')).token;
    const titles = [
      {
        kind: 'movie',
        name: 'Central do Brasil',
        synopsis: 'Uma professora aposentada e um menino atravessam o sertão.',
        year: 1998,
        genres: ['drama'],
      },
      {
        kind: 'movie',
        name: 'O Auto da Compadecida',
        synopsis: 'João Grilo e Chicó enganam a cidade inteira.',
        year: 2000,
        genres: ['comedy'],
      },
      {
        kind: 'movie',
        name: 'The Running Man',
        synopsis: 'A man is forced to run for his life on television.',
        year: 1987,
        genres: ['action'],
      },
      {
        kind: 'series',
        name: 'Coração Selvagem',
        synopsis: 'Amores e corações partidos no interior.',
        year: 2009,
        genres: ['drama', 'romance'],
      },
      { kind: 'movie', name: 'Ágata', synopsis: 'Uma detetive em Lisboa.', year: 2015, genres: ['crime'] },
    ];
    for (const title of titles)
      await t.request('POST', '/titles', { token: editor, body: { ...title, status: 'published' } });
    for (let i = 0; i < 25; i += 1) {
      await t.request('POST', '/titles', {
        token: editor,
        body: {
          kind: 'movie',
          name: `Filler ${String(i).padStart(2, '0')}`,
          year: 2020,
          status: i % 5 === 0 ? 'draft' : 'published',
        },
      });
    }
  });
  afterAll(() => t.close());

  const search = async (query: Record<string, string>, token = viewer) => {
    const response = await t.request('GET', '/titles', { token, query });
    expect(response.status).toBe(200);
    return response.json().items.map((title: any) => title.name) as string[];
  };

  it('finds Portuguese text without accents and with stemming', async () => {
    expect(await search({ q: 'coracao' })).toContain('Coração Selvagem');
    expect(await search({ q: 'sertao' })).toEqual(['Central do Brasil']);
    expect(await search({ q: 'Sertão' })).toEqual(['Central do Brasil']);
    expect(await search({ q: 'agata' })).toEqual(['Ágata']);
  });

  it('finds English text with stemming and partial names', async () => {
    expect(await search({ q: 'runs' })).toContain('The Running Man');
    expect(await search({ q: 'televised' })).toEqual(['The Running Man']);
    expect(await search({ q: 'xyzzy' })).toEqual([]);
    expect(await search({ q: 'runn' })).toEqual(['The Running Man']);
  });

  it('treats SQL-looking and odd unicode input as plain text', async () => {
    expect(await search({ q: "'; DROP TABLE titles; --" })).toEqual([]);
    expect(await search({ q: '%' })).toEqual([]);
    expect(await search({ q: '_' })).toEqual([]);
    expect(await search({ q: '😀 ﷽ \u202e' })).toEqual([]);
    expect(await search({ q: 'a & b | !c <-> d' })).toBeInstanceOf(Array);
    const nul = await t.request('GET', '/titles', { token: viewer, query: { q: 'a\u0000b' } });
    expect(nul.status).toBe(400);
    expect((await search({ q: 'Central' })).length).toBe(1);
  });

  it('filters by genre, year, kind and status', async () => {
    expect(await search({ genre: 'drama', sort: 'name' })).toEqual(['Central do Brasil', 'Coração Selvagem']);
    expect(await search({ year: '1987' })).toEqual(['The Running Man']);
    expect(await search({ kind: 'series' })).toEqual(['Coração Selvagem']);
    expect((await search({ status: 'draft' }, editor)).length).toBe(5);
  });

  it('sorts by name with accents folded', async () => {
    const names = await search({ sort: 'name', limit: '3' });
    expect(names).toEqual(['Ágata', 'Central do Brasil', 'Coração Selvagem']);
  });

  it('walks every page exactly once with cursors, for each sort', async () => {
    for (const sort of ['-createdAt', 'createdAt', 'name', '-name', 'year', '-year']) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const response = await t.request('GET', '/titles', {
          token: viewer,
          query: { sort, limit: '7', ...(cursor ? { cursor } : {}) },
        });
        expect(response.status).toBe(200);
        const body = response.json();
        seen.push(...body.items.map((item: any) => item.id));
        cursor = body.nextCursor ?? undefined;
      } while (cursor);
      expect(seen.length).toBe(25);
      expect(new Set(seen).size).toBe(25);
    }
  });

  it('pages search results by relevance', async () => {
    const first = (await t.request('GET', '/titles', { token: editor, query: { q: 'filler', limit: '10' } })).json();
    const second = (
      await t.request('GET', '/titles', {
        token: editor,
        query: { q: 'filler', limit: '10', cursor: first.nextCursor },
      })
    ).json();
    const third = (
      await t.request('GET', '/titles', {
        token: editor,
        query: { q: 'filler', limit: '10', cursor: second.nextCursor },
      })
    ).json();
    const ids = [...first.items, ...second.items, ...third.items].map((item: any) => item.id);
    expect(new Set(ids).size).toBe(25);
    expect(third.nextCursor).toBeNull();
  });

  it('clamps a page size of 10 million and rejects a bad or foreign cursor', async () => {
    const huge = await t.request('GET', '/titles', { token: editor, query: { limit: '10000000' } });
    expect(huge.status).toBe(200);
    expect(huge.json().items.length).toBe(30);
    expect((await t.request('GET', '/titles', { token: editor, query: { limit: '0' } })).status).toBe(400);
    expect((await t.request('GET', '/titles', { token: editor, query: { limit: 'ten' } })).status).toBe(400);
    const bad = await t.request('GET', '/titles', { token: editor, query: { cursor: 'not-a-cursor' } });
    expect(bad.json().code).toBe('invalid_cursor');
    const page = (await t.request('GET', '/titles', { token: editor, query: { limit: '2' } })).json();
    const foreign = await t.request('GET', '/titles', {
      token: editor,
      query: { limit: '2', sort: 'name', cursor: page.nextCursor },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.json().code).toBe('invalid_cursor');
  });
});
