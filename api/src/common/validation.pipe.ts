import { StandardSchemaValidationPipe } from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';
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

const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

/**
 * Paths of every string in `value` (object keys included) that holds U+0000. PostgreSQL
 * cannot store that character in text, so such a value would fail in the database as a 500.
 */
export function findNulStrings(value: unknown): StandardSchemaV1.Issue[] {
  const issues: StandardSchemaV1.Issue[] = [];
  const seen = new WeakSet<object>();
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value, path: [] }];
  while (stack.length > 0 && issues.length < 20) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) issues.push({ message: NUL_MESSAGE, path });
      continue;
    }
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const entries = Array.isArray(current) ? current.entries() : Object.entries(current);
    for (const [key, item] of entries) {
      if (typeof key === 'string' && key.includes('\u0000'))
        issues.push({ message: NUL_MESSAGE, path: [...path, key] });
      stack.push({ value: item, path: [...path, key] });
    }
  }
  return issues;
}

/** Nest's Standard Schema pipe, plus the check that no string holds U+0000. */
class AppValidationPipe extends StandardSchemaValidationPipe {
  protected override async validate<T = unknown>(
    value: unknown,
    schema: StandardSchemaV1,
    options?: Record<string, unknown>,
  ): Promise<StandardSchemaV1.Result<T>> {
    const result = await super.validate<T>(value, schema, options);
    if (result.issues) return result;
    const issues = findNulStrings(result.value);
    return issues.length > 0 ? { issues } : result;
  }
}

/**
 * Validates @Body/@Query/@Param values against the zod schema given in the decorator
 * (Nest's Standard Schema support) and turns failures into `validation_failed` problems.
 */
export function createValidationPipe(): StandardSchemaValidationPipe {
  return new AppValidationPipe({
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
