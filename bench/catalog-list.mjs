// Benchmark: the public catalog list (GET /titles?limit=20) against a bare Fastify server
// that returns the very same bytes. The ratio says how much of the machine's raw HTTP
// capacity the API keeps once routing, auth, validation, the database and serialization
// are in the path. Uncached target: api/baseline >= 0.25.
import { cpus } from 'node:os';
import { withApi } from './lib/api-server.mjs';
import { startBareFastify } from './lib/baseline-server.mjs';
import { requestJson } from './lib/http.mjs';
import { measureInterleaved } from './lib/interleave.mjs';
import { buildResult } from './lib/report.mjs';

export const name = 'catalog-list';
export const description = 'GET /titles?limit=20 through the API vs a bare Fastify route returning the same body';

const ROUTE = '/titles?limit=20';
const TITLE_COUNT = 20;
const MIN_RATIO = 0.25;

/** @param {{ options: { durationSeconds: number, connections: number, warmupSeconds: number }, log: (line: string) => void }} context */
export async function run({ options, log }) {
  const startedAt = new Date().toISOString();
  return withApi(
    async (api) => {
      log(`  API up at ${api.baseUrl} (${api.database.kind})`);
      const token = await signIn(api);
      await seedTitles(api.baseUrl, token);
      const reference = await requestJson('GET', `${api.baseUrl}${ROUTE}`, { token });
      const itemCount = checkListShape(reference.json);

      const baseline = await startBareFastify({
        path: ROUTE,
        body: reference.text,
        contentType: reference.headers.get('content-type') ?? 'application/json',
      });
      try {
        const echoed = await requestJson('GET', `${baseline.baseUrl}${ROUTE}`);
        if (echoed.text !== reference.text) throw new Error('baseline body differs from the API body');
        const headers = { authorization: `Bearer ${token}` };
        const measured = await measureInterleaved({
          baseline: { url: `${baseline.baseUrl}${ROUTE}` },
          // Same header on both sides so the client sends identical requests.
          api: { url: `${api.baseUrl}${ROUTE}`, headers },
          options,
          log,
        });
        return buildResult({
          name,
          description,
          route: `GET ${ROUTE} (bearer token, ${itemCount} items, ${Buffer.byteLength(reference.text)} bytes)`,
          baselineLabel: 'bare fastify',
          database: api.database,
          options: { ...options, roundSeconds: measured.roundSeconds },
          minRatio: MIN_RATIO,
          baselineRounds: measured.baselineRounds,
          apiRounds: measured.apiRounds,
          startedAt,
          finishedAt: new Date().toISOString(),
          environment: { node: process.version, platform: process.platform, cpus: cpus().length },
        });
      } finally {
        await baseline.stop();
      }
    },
    // Uncached: no response cache. Limits so high they never refuse: their bookkeeping is
    // still measured, not 429s.
    {
      log,
      env: { CACHE_TTL_SECONDS: '0', RATE_LIMIT_PER_MINUTE: '1000000000', RATE_LIMIT_IP_PER_MINUTE: '1000000000' },
    },
  );
}

async function signIn(api) {
  const login = await requestJson('POST', `${api.baseUrl}/auth/login`, {
    body: { email: api.adminEmail, password: api.adminPassword },
  });
  return login.json.accessToken;
}

async function seedTitles(baseUrl, token) {
  for (let n = 1; n <= TITLE_COUNT; n += 1) {
    await requestJson('POST', `${baseUrl}/titles`, {
      token,
      expect: 201,
      body: {
        kind: 'movie',
        name: `Bench Title ${n}`,
        synopsis: `Synopsis of bench title ${n}: long enough to look like a real catalog entry.`,
        year: 2000 + n,
        genres: ['drama'],
        status: 'published',
      },
    });
  }
}

/** The contract is {items: [...], nextCursor}; measuring anything else would be pointless. */
function checkListShape(body) {
  if (!body || !Array.isArray(body.items)) throw new Error(`GET ${ROUTE} did not return {items: [...]}`);
  if (body.items.length !== TITLE_COUNT) {
    throw new Error(`GET ${ROUTE} returned ${body.items.length} items, expected ${TITLE_COUNT}`);
  }
  return body.items.length;
}
