import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { createValidationPipe, findNulStrings } from './validation.pipe.js';

describe('findNulStrings', () => {
  it('finds U+0000 in strings and keys at any depth, with their paths', () => {
    const value = { ok: 'fine', name: 'a\u0000b', tags: ['x', 'y\u0000'], nested: { deep: [{ ['k\u0000']: 1 }] } };
    const paths = findNulStrings(value).map((issue) => issue.path!.map(String).join('.'));
    expect(paths.sort()).toEqual(['name', 'nested.deep.0.k\u0000', 'tags.1'].sort());
  });

  it('finds nothing in clean values (cycles included) and checks a bare string', () => {
    const cyclic: Record<string, unknown> = { a: 'b' };
    cyclic.self = cyclic;
    for (const value of [undefined, null, 1, true, 'text', ['a'], { a: { b: 'c' } }, new Date(), cyclic]) {
      expect(findNulStrings(value)).toEqual([]);
    }
    expect(findNulStrings('\u0000')).toEqual([{ message: expect.stringContaining('U+0000'), path: [] }]);
  });
});

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();
  const schema = z.strictObject({ email: z.email().transform((e) => e.toLowerCase()), note: z.string().optional() });
  const metadata = { type: 'body' as const, schema };

  async function rejection(value: unknown): Promise<ApiError> {
    const error = await pipe.transform(value, metadata).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }

  it('returns the parsed value', async () => {
    expect(await pipe.transform({ email: 'A@B.CO' }, metadata)).toEqual({ email: 'a@b.co' });
  });

  it('turns schema issues into validation_failed with field errors', async () => {
    const error = await rejection({ email: 5, extra: true });
    expect(error.code).toBe('validation_failed');
    expect(error.extras.errors).toEqual(
      expect.arrayContaining([
        { field: 'email', message: expect.any(String) },
        { field: '(root)', message: expect.stringContaining('extra') },
      ]),
    );
  });

  it('rejects a value with U+0000 that the schema accepts', async () => {
    const error = await rejection({ email: 'a@b.co', note: 'x\u0000y' });
    expect(error.code).toBe('validation_failed');
    expect(error.extras.errors).toEqual([{ field: 'note', message: expect.stringContaining('U+0000') }]);
  });

  describe('query strings', () => {
    function countingSchema() {
      const state = { runs: 0 };
      const schema = z.object({
        limit: z.coerce
          .number()
          .int()
          .max(100)
          .transform((n) => {
            state.runs += 1;
            return n;
          }),
        q: z.string().optional(),
      });
      return { state, metadata: { type: 'query' as const, schema } };
    }

    it('validates a query text once, and gives every caller a copy of its own', async () => {
      const { state, metadata } = countingSchema();
      const first = (await pipe.transform({ limit: '20' }, metadata)) as Record<string, unknown>;
      const second = (await pipe.transform({ limit: '20' }, metadata)) as Record<string, unknown>;
      expect(first).toEqual({ limit: 20 });
      expect(second).toEqual({ limit: 20 });
      expect(second).not.toBe(first);
      expect(state.runs).toBe(1);
      // A handler changing its copy changes nothing for the next request.
      first.limit = 99;
      expect(await pipe.transform({ limit: '20' }, metadata)).toEqual({ limit: 20 });
      // Another text, or the same one for another parameter kind, is validated on its own.
      expect(await pipe.transform({ limit: '20', q: 'x' }, metadata)).toEqual({ limit: 20, q: 'x' });
      expect(await pipe.transform({ limit: '20' }, { ...metadata, type: 'body' as const })).toEqual({ limit: 20 });
      expect(state.runs).toBe(3);
    });

    it('still refuses an invalid query every time', async () => {
      const { metadata } = countingSchema();
      for (let i = 0; i < 2; i++) {
        const error = await pipe.transform({ limit: '1000' }, metadata).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect((error as ApiError).code).toBe('validation_failed');
      }
      const nul = await pipe.transform({ limit: '1', q: 'a\u0000' }, metadata).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((nul as ApiError).code).toBe('validation_failed');
    });
  });
});
