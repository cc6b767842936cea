import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { expectProblem } from './problem-assertions.js';
import { ADMIN_EMAIL, createTestApp, databaseTargets, type InjectResult, type TestApp } from './http-harness.js';

// Property-based fuzzing of every JSON endpoint in the committed spec: hostile bodies, path
// and query parameters must never produce a 5xx, and a rejected request must not change a
// single row. The spec drives the list, so a new endpoint is fuzzed without editing this file.

interface SchemaObject {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  $ref?: string;
  anyOf?: SchemaObject[];
  oneOf?: SchemaObject[];
}
interface Operation {
  operationId: string;
  parameters?: Array<{ name: string; in: 'path' | 'query' | 'header'; schema?: SchemaObject }>;
  requestBody?: { content: Record<string, { schema: SchemaObject }> };
}
interface Endpoint {
  method: string;
  path: string;
  operation: Operation;
}

const spec = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, SchemaObject> };
};

/** Not JSON over HTTP: binary part uploads, the WebSocket stream, and probes. */
const SKIPPED = new Set(['/uploads/{id}/parts/{partNumber}', '/events', '/health/live', '/health/ready']);

const endpoints: Endpoint[] = Object.entries(spec.paths)
  .filter(([path]) => !SKIPPED.has(path))
  .flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );

function resolve(schema: SchemaObject | undefined): SchemaObject {
  if (!schema?.$ref) return schema ?? {};
  return resolve(spec.components.schemas[schema.$ref.split('/').at(-1)!]);
}

/** A body that passes the schema's shape, so single-field mutations reach deep validation. */
function plausible(schema: SchemaObject | undefined, depth = 0): unknown {
  const s = resolve(schema);
  const variant = s.anyOf?.[0] ?? s.oneOf?.[0];
  if (variant) return plausible(variant, depth);
  if (s.enum) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object':
      return depth > 3
        ? {}
        : Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, plausible(v, depth + 1)]));
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return 'fuzz';
  }
}

/** Strings that have broken other systems: traversal, NUL, injection, huge, odd unicode. */
const hostileString = fc.oneof(
  fc.constantFrom(
    '../../../../etc/passwd',
    '..%2f..%2f..%2fetc%2fpasswd',
    'a\u0000b',
    '\u0000',
    "' OR 1=1; DROP TABLE titles; --",
    '"; SELECT pg_sleep(0); --',
    '${jndi:ldap://127.0.0.1/x}',
    '<script>alert(1)</script>',
    '\uD800',
    '\u202Egnp.exe',
    '😀'.repeat(300),
    'x'.repeat(100_000),
    '',
    ' ',
    '-1',
    '1e309',
    'NaN',
    '00000000-0000-0000-0000-000000000000',
    '__proto__',
  ),
  fc.string({ unit: 'binary', maxLength: 64 }),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, 2 ** 53 + 1, -(2 ** 63), 1.5, 1e308, [], {}, [null], { $ne: null }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A body to send: anything at all, or a plausible body with one field made hostile. */
function hostileBody(operation: Operation): fc.Arbitrary<unknown> {
  const schema = operation.requestBody?.content['application/json']?.schema;
  const base = plausible(schema);
  const keys = base && typeof base === 'object' && !Array.isArray(base) ? Object.keys(base) : [];
  const mutated =
    keys.length > 0
      ? fc
          .tuple(fc.constantFrom(...keys, '__proto__', 'constructor', 'unknownField'), hostileValue)
          .map(([key, value]) => JSON.parse(JSON.stringify({ ...(base as object), [key]: value })) as unknown)
      : hostileValue;
  return fc.oneof(mutated, fc.jsonValue({ maxDepth: 4 }), hostileValue);
}

function fillPath(path: string, value: string): string {
  // A lone surrogate cannot travel in a URL at all; its replacement character can.
  return path.replace(/\{[^}]+\}/g, () => encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, '\uFFFD')));
}

describe.each(databaseTargets().slice(0, 1))('bad input on $name', (target) => {
  let t: TestApp;
  let admin: string;
  let tables: string[];

  /** Every row of every table, as one digest: any insert, update or delete changes it. */
  const databaseDigest = async (): Promise<string> => {
    const parts = await Promise.all(
      tables.map(async (table) => {
        const [row] = (await t.dataSource.query(
          `SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS digest FROM "${table}" x`,
        )) as Array<{ n: number; digest: string }>;
        return `${table}:${row!.n}:${row!.digest}`;
      }),
    );
    return parts.join('\n');
  };

  const checkResponse = (endpoint: Endpoint, response: InjectResult, sent: unknown) => {
    const what = `${endpoint.method} ${endpoint.path} with ${JSON.stringify(sent)?.slice(0, 300)}`;
    expect(response.status, `${what} → ${response.body.slice(0, 300)}`).toBeLessThan(500);
    if (response.status >= 400) {
      expect(String(response.headers['content-type']), what).toContain('application/problem+json');
      expect(typeof response.json<{ code?: unknown }>().code, what).toBe('string');
    }
  };

  beforeAll(async () => {
    t = await createTestApp(target);
    admin = await t.adminToken();
    // Something to point at, so that valid-looking ids reach the services.
    await t.request('POST', '/titles', {
      token: admin,
      body: { kind: 'series', name: 'Fuzz Target', status: 'published', externalId: 'fuzz-1' },
    });
    tables = (
      (await t.dataSource.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'migrations' ORDER BY 1`,
      )) as Array<{ tablename: string }>
    ).map((row) => row.tablename);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('finds the endpoints to fuzz in the spec', () => {
    expect(endpoints.length).toBeGreaterThan(20);
    expect(endpoints.filter((e) => e.operation.requestBody).length).toBeGreaterThan(8);
  });

  for (const endpoint of endpoints.filter((e) => e.operation.requestBody?.content['application/json'])) {
    it(`${endpoint.method} ${endpoint.path}: hostile bodies get a problem, never a 5xx, and change nothing when refused`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileBody(endpoint.operation), hostileString, async (body, pathValue) => {
          // Real ids where the path wants one, so the body is what gets judged.
          const url = fillPath(
            endpoint.path,
            pathValue.length > 0 && pathValue.length < 40 ? pathValue : 'fuzz-target',
          );
          const before = await databaseDigest();
          const response = await t.request(endpoint.method, url, { token: admin, body });
          checkResponse(endpoint, response, body);
          if (response.status >= 400)
            expect(await databaseDigest(), `${endpoint.method} ${url} refused but wrote`).toBe(before);
        }),
        { numRuns: 25 },
      );
    });
  }

  it('every endpoint answers hostile path and query parameters with a problem, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints),
        hostileString,
        fc.dictionary(
          fc.constantFrom('limit', 'cursor', 'q', 'status', 'sort', 'genre', 'year', 'kind', 'assetId'),
          hostileString,
          {
            maxKeys: 3,
          },
        ),
        async (endpoint, pathValue, query) => {
          const url = fillPath(endpoint.path, pathValue);
          const before = await databaseDigest();
          const response = await t.request(endpoint.method, url, {
            token: admin,
            query,
            ...(endpoint.operation.requestBody ? { body: {} } : {}),
          });
          checkResponse(endpoint, response, { url, query });
          if (response.status >= 400) expect(await databaseDigest()).toBe(before);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses raw bodies that are not JSON, truncated or deeply nested, with 400', async () => {
    const raws = [
      '{',
      '{"name":',
      'null',
      '[]',
      '"string"',
      '\u0000',
      '{"a":1}{"b":2}',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
    ];
    for (const rawBody of raws) {
      const before = await databaseDigest();
      const response = await t.request('POST', '/titles', {
        token: admin,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status, rawBody.slice(0, 20)).toBeGreaterThanOrEqual(400);
      expect(response.status, rawBody.slice(0, 20)).toBeLessThan(500);
      expect(await databaseDigest()).toBe(before);
    }
  });

  it('keeps a burst of concurrent logins consistent: each success is one session, failures are 401/429', async () => {
    const countSessions = async () =>
      ((await t.dataSource.query(`SELECT count(*)::int AS n FROM sessions`)) as Array<{ n: number }>)[0]!.n;
    const before = await countSessions();
    const attempts = Array.from({ length: 40 }, (_, n) =>
      t.request('POST', '/auth/login', {
        body: { email: ADMIN_EMAIL, password: n % 4 === 0 ? 'wrong-password-123' : 'admin-password-123' },
        headers: { 'x-forwarded-for': `10.0.0.${n}` },
      }),
    );
    const responses = await Promise.all(attempts);
    for (const response of responses) {
      if (response.status === 401) expectProblem(response, 'invalid_credentials');
      else if (response.status === 429) expectProblem(response, 'rate_limited');
      else expect(response.status).toBe(200);
    }
    const succeeded = responses.filter((r) => r.status === 200).length;
    expect(succeeded).toBeGreaterThan(0);
    expect(await countSessions()).toBe(before + succeeded);
  });
});
