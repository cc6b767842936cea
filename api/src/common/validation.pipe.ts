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
  new NulScan(issues).visit(value, []);
  return issues;
}

/** A walk over a value; the set of objects seen (against cycles) is made only for nested ones. */
class NulScan {
  private seen: WeakSet<object> | undefined;
  private root: object | undefined;

  constructor(private readonly issues: StandardSchemaV1.Issue[]) {}

  visit(value: unknown, path: PropertyKey[]): void {
    if (this.issues.length >= 20) return;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) this.issues.push({ message: NUL_MESSAGE, path });
      return;
    }
    if (value === null || typeof value !== 'object' || !this.firstVisit(value)) return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) this.visit(value[i], [...path, i]);
      return;
    }
    for (const key of Object.keys(value)) {
      if (key.includes('\u0000')) this.issues.push({ message: NUL_MESSAGE, path: [...path, key] });
      this.visit((value as Record<string, unknown>)[key], [...path, key]);
    }
  }

  private firstVisit(value: object): boolean {
    if (this.root === undefined) {
      this.root = value;
      return true;
    }
    if (value === this.root) return false;
    this.seen ??= new WeakSet([this.root]);
    if (this.seen.has(value)) return false;
    this.seen.add(value);
    return true;
  }
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
