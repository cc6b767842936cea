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
  429: 'Rate limited (rate_limited); see Retry-After',
};

/** Documents the problem+json error responses an operation can return. */
export function ApiProblems(...statuses: number[]): MethodDecorator {
  const all = [...new Set([...statuses, 500])].sort();
  return applyDecorators(
    ...all.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Unexpected error',
        standardSchema: ProblemSchema,
      }),
    ),
  );
}

/** Marks an operation as requiring a bearer token or an API key. */
export function ApiAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiSecurity('bearer'), ApiSecurity('apiKey'));
}
