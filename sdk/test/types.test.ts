// Compile-time checks: `npm run typecheck -w @aleflix/sdk` fails if the generated types stop
// constraining calls (every @ts-expect-error must still be an error). The runtime part
// only makes sure vitest counts the file.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createClient,
  type AleflixApiError,
  type Asset,
  type JobStatus,
  type ProblemCode,
  type Title,
  type TitleDetail,
} from '../src/index.js';

const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch: async () => new Response(null, { status: 204 }) });

// Never called: only type-checked.
async function typeChecks(title: string) {
  const detail = await client.request('get', '/titles/{title}', { params: { path: { title } } });
  expectTypeOf(detail.data).toEqualTypeOf<TitleDetail>();
  const list = await client.request('get', '/titles', { params: { query: { q: 'x', limit: 5, sort: 'name' } } });
  expectTypeOf(list.data.nextCursor).toEqualTypeOf<string | null>();
  await client.request('get', '/titles'); // init is optional when nothing is required
  const deleted = await client.request('delete', '/titles/{title}', { params: { path: { title } } });
  expectTypeOf(deleted.data).toEqualTypeOf<undefined>();

  // @ts-expect-error no such path
  await client.request('get', '/movies');
  // @ts-expect-error no GET on this path
  await client.request('get', '/auth/login');
  // @ts-expect-error the path parameter is required
  await client.request('get', '/titles/{title}');
  // @ts-expect-error the path parameter is required
  await client.request('get', '/titles/{title}', {});
  // @ts-expect-error year is a number
  await client.request('get', '/titles', { params: { query: { year: '1999' } } });
  // @ts-expect-error not a sort key
  await client.request('get', '/titles', { params: { query: { sort: 'rating' } } });
  // @ts-expect-error the body is required
  await client.request('post', '/titles', {});
  // @ts-expect-error kind is 'movie' | 'series'
  await client.request('post', '/titles', { body: { kind: 'film', name: 'x' } });
  // @ts-expect-error unknown body field
  await client.request('post', '/titles', { body: { kind: 'movie', name: 'x', rating: 5 } });
  // @ts-expect-error If-Match is required for PATCH
  await client.request('patch', '/titles/{title}', { params: { path: { title } }, body: {} });
  // @ts-expect-error GET takes no body
  await client.request('get', '/titles', { body: { kind: 'movie' } });

  const created = await client.titles.create({ kind: 'movie', name: 'Heat', year: 1995 });
  expectTypeOf(created).toEqualTypeOf<{ data: Title; etag: string }>();
  // @ts-expect-error name is required
  await client.titles.create({ kind: 'movie' });
  // @ts-expect-error ifMatch is required
  await client.titles.update(title, { name: 'x' }, {});
  await client.titles.update(title, { name: 'x' }, { ifMatch: created.etag });
  // @ts-expect-error season numbers are numbers
  await client.seasons.upsert(title, '1', {});
  // @ts-expect-error the default role does not make it required, but it must be a role
  await client.users.create({ email: 'a@b.co', password: 'long-enough-password', role: 'owner' });
  await client.users.create({ email: 'a@b.co', password: 'long-enough-password' });

  for await (const item of client.titles.iterate({ q: 'heat' })) expectTypeOf(item).toEqualTypeOf<Title>();
  // @ts-expect-error iterate manages the cursor itself
  client.titles.iterate({ cursor: 'abc' });

  const uploaded = await client.uploads.upload(new Blob(['x']), { filename: 'a.mp4', attachTo: { titleId: title } });
  expectTypeOf(uploaded.asset).toEqualTypeOf<Asset>();
  // @ts-expect-error season and episode go with a title id
  await client.uploads.upload('/tmp/a.mp4', { attachTo: { season: 1 } });
  // @ts-expect-error not an upload source
  await client.uploads.upload(42);
  // @ts-expect-error not an asset status
  await client.assets.list({ status: 'done' });
  expectTypeOf((await client.media.stream(title)).url).toEqualTypeOf<string | null>();
  expectTypeOf((await client.jobs.get(title)).status).toEqualTypeOf<JobStatus>();

  const codes: ProblemCode[] = ['slug_taken', 'precondition_failed', 'token_expired', 'checksum_mismatch'];
  // @ts-expect-error not a code of the spec
  const bad: ProblemCode = 'teapot';
  expectTypeOf<AleflixApiError['code']>().toEqualTypeOf<ProblemCode | undefined>();
  return [codes, bad];
}

// @ts-expect-error an API key excludes credentials
createClient({ baseUrl: 'http://x', apiKey: 'alx_1', credentials: { email: 'a', password: 'b' } });

describe('types', () => {
  it('are checked by tsc (see npm run typecheck)', () => {
    expect(typeof typeChecks).toBe('function');
  });
});
