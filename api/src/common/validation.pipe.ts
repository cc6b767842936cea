import { StandardSchemaValidationPipe } from '@nestjs/common';
import { ApiError, type FieldError } from './api-error.js';

interface Issue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

export function issuesToFieldErrors(issues: readonly Issue[]): FieldError[] {
  return issues.map((issue) => ({
    field: (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.') || '(root)',
    message: issue.message,
  }));
}

/**
 * Validates @Body/@Query/@Param values against the zod schema given in the decorator
 * (Nest's Standard Schema support) and turns failures into `validation_failed` problems.
 */
export function createValidationPipe(): StandardSchemaValidationPipe {
  return new StandardSchemaValidationPipe({
    exceptionFactory: (issues) => {
      const errors = issuesToFieldErrors(issues);
      const summary = errors
        .slice(0, 3)
        .map((e) => `${e.field}: ${e.message}`)
        .join('; ');
      return new ApiError('validation_failed', summary, { errors });
    },
  });
}
