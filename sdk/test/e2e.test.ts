// End to end: the real API (built if needed, started as a process) and the SDK as an
// integrator gets it: packed with npm, installed into a fresh strict TypeScript project,
// type-checked with that project's tsc and run with Node 24. A file with a wrong body must
// fail to type-check. The slow steps (PGlite start-up, pack, install, tsc) overlap.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AleflixApiError, createClient, type JobEventMessage } from '../src/index.js';
import {
  cleanEnv,
  freePort,
  mustRun,
  REPO_DIR,
  run,
  SDK_DIR,
  startApi,
  type RunningApi,
  type RunResult,
} from './processes.js';

const ADMIN_EMAIL = 'admin@sdk-e2e.test';
const ADMIN_PASSWORD = 'sdk-e2e-password-123';
const ACCESS_TOKEN_TTL_SECONDS = 4;
const TYPESCRIPT_VERSION = (
  JSON.parse(readFileSync(join(REPO_DIR, 'node_modules', 'typescript', 'package.json'), 'utf8')) as { version: string }
).version;

let api: RunningApi | undefined;
let baseUrl: string;
let scratch: string;
let project: string;
let exampleCheck: RunResult;
let wrongBodyCheck: RunResult;

const example = (url: string) => `import { AleflixApiError, createClient, type Title } from '@aleflix/sdk';

const client = createClient({
  baseUrl: ${JSON.stringify(url)},
  credentials: { email: ${JSON.stringify(ADMIN_EMAIL)}, password: ${JSON.stringify(ADMIN_PASSWORD)} },
});

const me = await client.auth.me();
const created = await client.titles.create({ kind: 'movie', name: 'Cidade de Deus', year: 2002, genres: ['drama'] });
await client.titles.create({ kind: 'movie', name: 'Cidade Baixa', year: 2005 });

// One title per page, so the iterator has to follow nextCursor.
const found: Title[] = [];
for await (const title of client.titles.iterate({ q: 'cidade', limit: 1 })) found.push(title);

const { data: updated, etag } = await client.titles.update(
  created.data.slug,
  { synopsis: 'Rio de Janeiro, anos 70' },
  { ifMatch: created.etag },
);

// The first ETag is stale now: the API refuses, and the error says why.
let staleCode: string | undefined;
try {
  await client.titles.update(created.data.slug, { name: 'Overwritten' }, { ifMatch: created.etag });
} catch (error) {
  if (error instanceof AleflixApiError) staleCode = error.code;
}

console.log(JSON.stringify({
  me: me.user.email,
  role: me.role,
  slug: created.data.slug,
  found: found.map((title) => title.slug).sort(),
  synopsis: updated.synopsis,
  version: updated.version,
  etags: [created.etag, etag],
  staleCode,
}));
`;

const wrongBody = `import { createClient } from '@aleflix/sdk';

const client = createClient({ baseUrl: 'http://localhost:3000' });
await client.titles.create({ kind: 'film', name: 42 });
await client.request('post', '/titles', { body: { kind: 'movie', title: 'no such field' } });
`;

const tsconfig = (file: string) =>
  JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2023',
        lib: ['ES2023', 'DOM'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        verbatimModuleSyntax: true,
        erasableSyntaxOnly: true,
        // Check the SDK's own declarations too (the default libs are TypeScript's business).
        skipLibCheck: false,
        skipDefaultLibCheck: true,
        types: [],
        noEmit: true,
      },
      files: [file],
    },
    null,
    2,
  );

/** npm pack the SDK (prepack builds it), install the tarball into a fresh project, type-check there. */
async function packInstallAndCheck(): Promise<void> {
  await mustRun('npm', ['pack', '--pack-destination', scratch, '--silent'], { cwd: SDK_DIR, timeoutMs: 90_000 });
  const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack left no tarball in ${scratch}`);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'sdk-e2e-consumer', private: true, type: 'module' }),
  );
  const install = ['install', '--no-audit', '--no-fund', join(scratch, tarball), `typescript@${TYPESCRIPT_VERSION}`];
  // The npm cache already holds ofetch and typescript; go to the registry only if it does not.
  const offline = await run('npm', [...install, '--offline'], { cwd: project, timeoutMs: 60_000 });
  if (offline.code !== 0) await mustRun('npm', install, { cwd: project, timeoutMs: 120_000 });

  writeFileSync(join(project, 'example.ts'), example(baseUrl));
  writeFileSync(join(project, 'tsconfig.json'), tsconfig('example.ts'));
  writeFileSync(join(project, 'wrong-body.ts'), wrongBody);
  writeFileSync(join(project, 'tsconfig.wrong.json'), tsconfig('wrong-body.ts'));
  const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  const check = (config: string) =>
    run(process.execPath, [tsc, '--noEmit', '-p', config], { cwd: project, timeoutMs: 60_000 });
  [exampleCheck, wrongBodyCheck] = await Promise.all([check('tsconfig.json'), check('tsconfig.wrong.json')]);
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'aleflix-sdk-e2e-'));
  project = join(scratch, 'consumer');
  mkdirSync(project);
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const results = await Promise.allSettled([
    startApi(
      port,
      {
        ALEFLIX_ADMIN_EMAIL: ADMIN_EMAIL,
        ALEFLIX_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
        LOG_LEVEL: 'warn',
      },
      { readyWithinMs: 60_000 },
    ).then((running) => {
      api = running;
    }),
    packInstallAndCheck(),
  ]);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}, 150_000);

afterAll(async () => {
  await api?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 20_000);

describe.concurrent('the packed SDK in a fresh strict project', () => {
  it('type-checks and runs an example that signs in, creates, lists and updates with the ETag', async () => {
    expect(exampleCheck.output).toBe('');
    expect(exampleCheck.code).toBe(0);
    const ran = await run(process.execPath, ['example.ts'], { cwd: project, timeoutMs: 30_000, env: cleanEnv() });
    expect(ran.code, ran.output).toBe(0);
    const lastLine = ran.output.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(lastLine)).toEqual({
      me: ADMIN_EMAIL,
      role: 'admin',
      slug: 'cidade-de-deus',
      found: ['cidade-baixa', 'cidade-de-deus'],
      synopsis: 'Rio de Janeiro, anos 70',
      version: 2,
      etags: ['"v1"', '"v2"'],
      staleCode: 'precondition_failed',
    });
  });

  it('fails to type-check a wrong body (the types are real)', () => {
    expect(wrongBodyCheck.code).not.toBe(0);
    const errors = wrongBodyCheck.output;
    expect(errors).toMatch(/wrong-body\.ts\(4,\d+\): error TS2322: Type '"film"' is not assignable/);
    expect(errors).toMatch(/wrong-body\.ts\(4,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
    expect(errors).toMatch(
      /wrong-body\.ts\(5,\d+\): error TS2353: Object literal may only specify known properties, and 'title'/,
    );
  });

  it('renews expired access tokens with one refresh for concurrent calls', async () => {
    const onTokens = vi.fn();
    const client = createClient({ baseUrl, credentials: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, onTokens });
    await client.auth.me();
    expect(onTokens).toHaveBeenCalledTimes(1);
    // Let the access token expire for real. Refresh tokens are single-use: a second
    // concurrent refresh would count as reuse and revoke the session, failing the calls.
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL_SECONDS * 1000 + 500));
    const results = await Promise.all([
      client.auth.me(),
      client.titles.list({ limit: 1 }),
      client.users.list({ limit: 1 }),
      client.auth.me(),
    ]);
    expect(results).toHaveLength(4);
    expect(onTokens).toHaveBeenCalledTimes(2);
  });

  it('streams live transcoding progress of an asset, from its snapshot through a retranscode', async () => {
    const clip = join(scratch, 'clip.mp4');
    await mustRun(
      'ffmpeg',
      [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=160x120:rate=24:duration=1',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        clip,
      ],
      { cwd: scratch, timeoutMs: 60_000 },
    );
    const client = createClient({ baseUrl, credentials: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    const { asset } = await client.uploads.upload(clip, { filename: 'clip.mp4' });
    const controller = new AbortController();
    const seen: JobEventMessage[] = [];
    let retranscoded = false;
    for await (const message of client.events.subscribe({ assetId: asset.id }, { signal: controller.signal })) {
      seen.push(message);
      if (message.attempt === 1 && message.status === 'succeeded' && !retranscoded) {
        // Connected for sure now: everything of the next attempt arrives live.
        retranscoded = true;
        await client.assets.retranscode(asset.id);
      }
      if (message.attempt === 2 && message.type === 'job.ready') controller.abort();
    }
    expect(seen[0]).toMatchObject({ v: 1, type: 'snapshot', assetId: asset.id, attempt: 1 });
    expect(seen.every((message) => message.assetId === asset.id)).toBe(true);
    const second = seen.filter((message) => message.attempt === 2).map((message) => message.type);
    expect(second[0]).toBe('job.started');
    expect(second.at(-1)).toBe('job.ready');
    expect(second.slice(1, -1).every((type) => type === 'job.progress')).toBe(true);
    expect(seen.at(-1)).toMatchObject({ status: 'succeeded', progress: 100 });
  }, 120_000);

  it('raises typed errors from real problem+json responses', async () => {
    const client = createClient({ baseUrl, credentials: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    await client.titles.create({ kind: 'series', name: 'Sintonia' });
    const duplicate = (await client.titles
      .create({ kind: 'series', name: 'Other', slug: 'sintonia' })
      .catch((e: unknown) => e)) as AleflixApiError;
    expect(duplicate).toBeInstanceOf(AleflixApiError);
    expect([duplicate.status, duplicate.code, duplicate.problem?.instance]).toEqual([409, 'slug_taken', '/titles']);
    expect(duplicate.requestId).toMatch(/^[\w.-]+$/);
    await expect(client.titles.get('no-such-title')).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(createClient({ baseUrl }).titles.list()).rejects.toMatchObject({
      status: 401,
      code: 'authentication_required',
    });
    const season = await client.seasons.upsert('sintonia', 1, { name: 'Temporada 1' });
    expect(season.created).toBe(true);
    expect(season.data.seasons.map((s) => s.number)).toEqual([1]);
  });
});
