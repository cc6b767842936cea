import { StandardSchemaValidationPipe, type ArgumentMetadata } from '@nestjs/common';
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

/** Validated query strings kept per schema; cleared when full (a hot page has a handful). */
const QUERY_MEMO_LIMIT = 1_000;

type FlatValues = Record<string, string | number | boolean | null | undefined>;

/** A plain object with no object among its values: a simple query string, before and after validation. */
function isFlat(value: unknown): value is FlatValues {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== null && typeof item === 'object') return false;
  }
  return true;
}

/**
 * Nest's Standard Schema pipe, plus the check that no string holds U+0000. A query string
 * validated once is not validated again: the result depends only on the schema and the
 * text, and under load the same few pages are asked for over and over. Each caller gets
 * its own copy, so a handler can never change what the next request receives.
 */
class AppValidationPipe extends StandardSchemaValidationPipe {
  private readonly queries = new WeakMap<object, Map<string, FlatValues>>();

  override async transform<T = unknown>(value: T, metadata: ArgumentMetadata): Promise<T> {
    const schema = metadata.schema;
    if (metadata.type !== 'query' || !schema || !isFlat(value)) return super.transform(value, metadata);
    const key = JSON.stringify(value);
    let memo = this.queries.get(schema);
    const known = memo?.get(key);
    // The schema's output for this very input: the type Nest expects of the parameter.
    if (known) return { ...known } as T;
    const result = await super.transform(value, metadata);
    if (isFlat(result)) {
      if (!memo) this.queries.set(schema, (memo = new Map()));
      if (memo.size >= QUERY_MEMO_LIMIT) memo.clear();
      memo.set(key, { ...result });
    }
    return result;
  }

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
