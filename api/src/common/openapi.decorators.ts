import { applyDecorators } from '@nestjs/common';
import { ApiResponse, ApiSecurity } from '@nestjs/swagger';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ProblemSchema } from './problem.schema.js';

/** Documents a success response whose body is described by a zod schema. */
export function ApiOk(schema: StandardSchemaV1, status = 200, description = 'Success'): MethodDecorator {
  return ApiResponse({ status, description, standardSchema: schema });
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (validation_failed, invalid_json, invalid_cursor)',
  401: 'Missing, invalid or expired credentials',
  403: 'Authenticated but not allowed',
  404: 'Not found',
  409: 'Conflicts with existing data',
  412: 'ETag given in If-Match does not match (precondition_failed)',
  413: 'Body too large (payload_too_large)',
  415: 'Unsupported content type',
  428: 'If-Match header missing (precondition_required)',
  429: 'Rate limited (rate_limited): too many requests this minute from this IP or user/API key (sign-in: too many failures); see Retry-After and the RateLimit-* headers',
};

/** What every 429 carries; RateLimit-Limit/-Remaining/-Reset come with every limited response, 429 or not. */
const RATE_LIMIT_HEADERS = {
  'Retry-After': { description: 'Seconds until the limit resets', schema: { type: 'integer' as const, minimum: 1 } },
};

/**
 * Documents the problem+json error responses an operation can return. Every operation can
 * be rate limited (429) and fail unexpectedly (500), so those two are always listed.
 */
export function ApiProblems(...statuses: number[]): MethodDecorator {
  return problems([...statuses, 429]);
}

/** For the few routes the rate limits exempt (health probes): no 429. */
export function ApiProblemsWithoutRateLimit(...statuses: number[]): MethodDecorator {
  return problems(statuses);
}

function problems(statuses: number[]): MethodDecorator {
  const all = [...new Set([...statuses, 500])].sort();
  return applyDecorators(
    ...all.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Unexpected error',
        standardSchema: ProblemSchema,
        ...(status === 429 ? { headers: RATE_LIMIT_HEADERS } : {}),
      }),
    ),
  );
}

/** Marks an operation as requiring a bearer token or an API key. */
export function ApiAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiSecurity('bearer'), ApiSecurity('apiKey'));
}
